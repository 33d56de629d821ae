"""What the API and the web pages share over HTTP, so that neither imports the other: signing in
(tokens, sessions, the capability guards), the per-request connection and the body read before
it, list parameters, RFC 9457 problem+json for every error, and the security headers."""
