#!/usr/bin/env bash
# Regenerates the screenshots of the desktop app in docs/images/gui-*.png: the release app run
# under Xvfb with a fresh home (so no remembered state), driven by xdotool clicks and typing as a
# user would, and shot with ImageMagick's `import`. Needs xvfb, xdotool and imagemagick
# (apt-get install -y xvfb xdotool imagemagick) and release builds of herdlab-gui and herdlab:
#
#   cargo build --release -p herdlab-gui -p herdlab-reports
#   docs/images/screenshots.sh
#
# Settings (environment): HERDLAB_GUI and HERDLAB (the binaries; default
# ${CARGO_TARGET_DIR:-target}/release/...), SHOT_DISPLAY (default :97). The clicks are at
# fixed points of a 1400x1000 window: after moving a widget, check the pictures.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
target=${CARGO_TARGET_DIR:-$here/../../target}
gui=${HERDLAB_GUI:-$target/release/herdlab-gui}
cli=${HERDLAB:-$target/release/herdlab}
display=${SHOT_DISPLAY:-:97}
for tool in Xvfb xdotool import; do
    command -v "$tool" >/dev/null || { echo "screenshots.sh: $tool is missing" >&2; exit 1; }
done
for bin in "$gui" "$cli"; do
    [ -x "$bin" ] || { echo "screenshots.sh: build $bin first (see the header)" >&2; exit 1; }
done

work=$(mktemp -d)
xvfb_pid=""
app_pid=""
cleanup() {
    [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# A decision log for the Monitor view: the engine's own, of one path of the monoculture.
"$cli" --quiet run regional-monoculture --paths 20 --out "$work/mono" --decision-log 0 >/dev/null

Xvfb "$display" -screen 0 1400x1000x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
export DISPLAY=$display
sleep 1
mkdir -p "$work/home"
(cd "$work" && HOME="$work/home" exec "$gui") >"$work/gui.log" 2>&1 &
app_pid=$!
window=""
for _ in $(seq 50); do
    window=$(xdotool search --name '^herdlab$' 2>/dev/null | head -1 || true)
    [ -n "$window" ] && break
    sleep 0.2
done
[ -n "$window" ] || { echo "screenshots.sh: the window did not open" >&2; cat "$work/gui.log" >&2; exit 1; }
xdotool windowmove "$window" 0 0 windowsize "$window" 1400 1000
# No window manager under Xvfb: give the window the keyboard ourselves.
xdotool windowfocus --sync "$window"
sleep 1

# egui acts on a click where the pointer was last seen: move, let a frame pass, then click.
click() { xdotool mousemove "$1" "$2"; sleep 0.25; xdotool click 1; sleep "${3:-0.6}"; }
# Replaces the text of the field at x y.
typein() { click "$1" "$2" 0.3; xdotool key ctrl+a; sleep 0.2; xdotool type --delay 30 "$3"; sleep 0.4; }
shot() { xdotool mousemove 1399 999; sleep 0.4; import -window root "$here/gui-$1.png"; echo "wrote docs/images/gui-$1.png"; }

# Top bar: the views.
scenario=(128 16) results=(205 16) drill=(287 16) compare=(375 16) sweep=(452 16) monitor=(525 16)
run=(419 40) paths=(80 40)

# The editor: fields in words with units and one-line help; keys only in tooltips.
click 470 94                       # Regions and firms
shot editor

# A run: the dashboard, the provenance header and the credit-gap fan chart.
click "${run[@]}" 9
shot results
click 740 380                      # Credit gap by region: small multiples
shot regions
click 622 380                      # Failed banks: a count, drawn as steps
shot failed-banks

# Drill down: one path quarter by quarter.
click "${drill[@]}"
click 146 100                      # Worst credit gap, then a few quarters on
click 600 100; click 600 100; click 600 100
shot drill
click 20 793                       # bank E1: its lending and rejections over the quarters
xdotool mousemove 1000 300; for _ in $(seq 15); do xdotool click 5; sleep 0.05; done; sleep 0.5
shot drill-bank

# Compare: the documented case in two clicks (Compare, then the documented case).
click "${compare[@]}"
click 199 118 16
shot compare
click 450 264                      # every region: small multiples of the overlay
shot compare-regions
click 260 264                      # All measures (table), with the difference chart's error bars
shot compare-table

# Sweep: model similarity from 0 to 1 in 5 cells, on 50 paths each.
typein "${paths[@]}" 50
click "${sweep[@]}"
click 254 164 12
shot sweep

# Monitor: the engine's decision log of the monoculture.
click "${monitor[@]}"
typein 250 133 "$work/mono/decision-log/path-0.parquet"
click 1085 133 4
shot monitor

# The file dialog (Browse... under Scenario file).
click "${scenario[@]}"
click 120 619
shot file-dialog
xdotool key Escape
