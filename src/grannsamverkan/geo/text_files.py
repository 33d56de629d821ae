"""Text files as users save them: read whole, decoded, line ends made one.

The whole input is decoded at once, UTF-8 (with or without BOM) first, then Windows-1252, which is
what Excel writes on Swedish Windows; UTF-16 with a BOM is read too. What is not text (a
spreadsheet, NUL bytes) is refused with :class:`MalformedInput`.
"""

from __future__ import annotations

from typing import IO

from grannsamverkan.errors import MalformedInput


def read_all(source: bytes | bytearray | memoryview | IO[bytes]) -> bytes:
    """The whole input as bytes (a binary file object is read to its end)."""
    if isinstance(source, bytes):
        return source
    if isinstance(source, (bytearray, memoryview)):
        return bytes(source)
    data = source.read()
    if isinstance(data, str):
        raise TypeError("open the file in binary mode ('rb')")
    return bytes(data)


def decode_text(data: bytes) -> tuple[str, str]:
    """``(text, encoding)``: UTF-8 (BOM or not), else Windows-1252; UTF-16 only with a BOM.

    Refuses with :class:`MalformedInput` what is not text: a spreadsheet, NUL bytes, or bytes
    that are neither UTF-8 nor Windows-1252.
    """
    if data.startswith(b"PK\x03\x04"):
        raise MalformedInput("csv.xlsx")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise MalformedInput("csv.utf16", reason=exc.reason, at=exc.start) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise MalformedInput("csv.nul", offset=nul, line=line)
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise MalformedInput("csv.encoding", byte=f"0x{data[exc.start]:02x}", line=line) from None


def normalise_newlines(text: str) -> str:
    """``\\r\\n`` (Windows) and lone ``\\r`` (old Mac) line ends as ``\\n``."""
    if "\r" in text:
        return text.replace("\r\n", "\n") if "\n" in text else text.replace("\r", "\n")
    return text
