#!/bin/sh
# Re-fetches the map libraries the pages serve from src/grannsamverkan/web/static/vendor/
# (Leaflet and Leaflet-Geoman, from the npm registry; nothing is fetched at run time).
# Usage: tools/vendor_map_libs.sh   (needs npm and tar; change the versions below to update)
set -eu
LEAFLET=1.9.4
GEOMAN=2.20.2
root=$(cd "$(dirname "$0")/.." && pwd)
vendor="$root/src/grannsamverkan/web/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "leaflet@$LEAFLET" "@geoman-io/leaflet-geoman-free@$GEOMAN" >/dev/null

rm -rf "$vendor/leaflet" "$vendor/leaflet-geoman"
mkdir -p "$vendor/leaflet/images" "$vendor/leaflet-geoman"
tar xzf "leaflet-$LEAFLET.tgz"
cp package/LICENSE package/dist/leaflet.js package/dist/leaflet.css "$vendor/leaflet/"
cp package/dist/images/*.png "$vendor/leaflet/images/"
rm -rf package
tar xzf "geoman-io-leaflet-geoman-free-$GEOMAN.tgz"
cp package/LICENSE package/dist/leaflet-geoman.min.js package/dist/leaflet-geoman.css "$vendor/leaflet-geoman/"
# The minified file names its source map, which is not shipped.
sed -i 's|^//# sourceMappingURL=.*$||' "$vendor/leaflet-geoman/leaflet-geoman.min.js" "$vendor/leaflet/leaflet.js"

cat > "$vendor/VENDORED.md" <<DOC
# Vendored map libraries

Served by the app itself under \`/static/vendor/\` (no CDN at run time). Re-fetch with
\`tools/vendor_map_libs.sh\`; do not edit these files by hand.

| folder | package | version | source | licence |
|---|---|---|---|---|
| \`leaflet/\` | \`leaflet\` (dist/leaflet.js, leaflet.css, images) | $LEAFLET | https://registry.npmjs.org/leaflet (https://github.com/Leaflet/Leaflet) | BSD-2-Clause (\`leaflet/LICENSE\`) |
| \`leaflet-geoman/\` | \`@geoman-io/leaflet-geoman-free\` (dist/leaflet-geoman.min.js, leaflet-geoman.css) | $GEOMAN | https://registry.npmjs.org/@geoman-io/leaflet-geoman-free (https://github.com/geoman-io/leaflet-geoman) | MIT (\`leaflet-geoman/LICENSE\`) |

The source-map comments are removed (the maps are not shipped).
DOC
echo "vendored leaflet $LEAFLET and leaflet-geoman $GEOMAN into $vendor"
