# bench/cases/cover.sh: grid-cover against a loop of GRASS r.viewshed over
# the same cameras (issue 18): the sample town's cameras of one village
# (COVER_VILLAGE, default 前赵堡村, 23 street cameras with their own height,
# heading, field of view and range) on a surface made by `util dem`: hills and
# house blocks, so that views are blocked, COVER_CELL metres (default 1) over
# the cameras' extent grown by 400 m. Target 1.5 m above the surface for both.
# Agreement: of the cells within the cameras' reach (range and sector: what
# grid-cover counts on a flat surface), the share where both count the same
# cameras, zeros included (goal >= 95%); and, stricter, of the cells either
# sees. They differ by design: GRASS tests the line of sight to each cell
# centre over interpolated heights, GDAL's viewshed (grid-cover's) a cell
# against the heights of the cells in between it and the camera.

COVER_VILLAGE=${COVER_VILLAGE:-前赵堡村} COVER_CELL=${COVER_CELL:-1}

# grass_direction AZIMUTH FOV: r.viewshed's direction_range (degrees from
# east, counterclockwise) of a camera heading AZIMUTH (from north, clockwise).
grass_direction() {
	awk -v a="$1" -v f="$2" 'BEGIN { if (f >= 360) exit
		lo = 90 - a - f / 2; hi = 90 - a + f / 2
		lo -= 360 * int(lo / 360); if (lo < 0) lo += 360
		hi -= 360 * int(hi / 360); if (hi < 0) hi += 360
		printf "direction_range=%.6f,%.6f", lo, hi }'
}

case_cover() {
	local w=$WORK/cover town=$ROOT/data/samples/xiawuqi.gpkg ext cams n
	mkdir -p "$w"
	if [ ! -x "$BIN/grid-cover" ]; then
		row_start cover "-" "-" "-"
		row_print cover "-" "-" "-" grid-cover "-" "-" "-" "skipped: grid-cover not built yet"
		return
	fi
	ogr2ogr -f GPKG "$w/cams.gpkg" "$town" cameras -nln cameras \
		-where "village = '$COVER_VILLAGE' AND type = '枪机'" -overwrite || return
	n=$(ogrinfo -ro -so "$w/cams.gpkg" cameras | sed -n 's/^Feature Count: //p')
	ext=$(ogrinfo -ro -so "$w/cams.gpkg" cameras | sed -n 's/^Extent: (\(.*\), \(.*\)) - (\(.*\), \(.*\))$/\1 \2 \3 \4/p')
	set -- $ext
	local x0 y0 x1 y1
	x0=$(awk -v v="$1" 'BEGIN { printf "%d", v - 400 }') y0=$(awk -v v="$2" 'BEGIN { printf "%d", v - 400 }')
	x1=$(awk -v v="$3" 'BEGIN { printf "%d", v + 400 }') y1=$(awk -v v="$4" 'BEGIN { printf "%d", v + 400 }')
	"$UTIL" dem "$x0" "$y0" "$x1" "$y1" "$COVER_CELL" "$w/dem.tif" || return
	"$UTIL" dem "$x0" "$y0" "$x1" "$y1" "$COVER_CELL" "$w/flat.tif" flat || return
	grid-cover -q --dem "$w/flat.tif" --cell "$COVER_CELL" "$w/cams.gpkg" -o "$w/reach.tif" || return
	BENCH_PRE="rm -f $w/ours.tif $w/ours.qml" wangge cover "$n cameras" grid-cover "$RES/logs/cover.log" \
		grid-cover -q --dem "$w/dem.tif" --cell "$COVER_CELL" "$w/cams.gpkg" -o "$w/ours.tif" || return
	if have grass; then
		# One r.viewshed a camera, then their sum: what a GRASS user would run.
		ogr2ogr -f CSV /vsistdout/ "$w/cams.gpkg" -lco GEOMETRY=AS_XY -select height_m,azimuth_deg,fov_deg,range_m |
			tail -n +2 | tr -d '"' >"$w/cams.csv"
		{
			echo "r.in.gdal -o input='$w/dem.tif' output=dem --q && g.region raster=dem --q || exit 1"
			local i=0 x y hgt az fov range
			while IFS=, read -r x y hgt az fov range; do
				i=$((i + 1))
				echo "r.viewshed -b input=dem output=v$i coordinates=$x,$y observer_elevation=$hgt" \
					"target_elevation=1.5 max_distance=$range $(grass_direction "$az" "$fov") --q --o || exit 1"
			done <"$w/cams.csv"
			local sum
			sum=$(for k in $(seq "$i"); do printf ' + if(isnull(v%d), 0, v%d)' "$k" "$k"; done)
			echo "r.mapcalc expression=\"n = ${sum# + }\" --q --o || exit 1"
			echo "r.out.gdal -f input=n output='$w/grass.tif' format=GTiff type=UInt16 --q --o"
		} >"$w/grass.sh"
		BENCH_PRE="rm -f $w/grass.tif" AGREE_FN="cover_agree $w/ours.tif $w/grass.tif $w/reach.tif" \
			run_peer "GRASS r.viewshed loop" "$RES/logs/cover-grass.log" \
			grass --tmp-location EPSG:4548 --exec bash "$w/grass.sh"
	else skip "GRASS r.viewshed" "${PEER_WHY[grass]}"; fi
	[ -n "${COVER_KEEP:-}" ] || rm -rf "$w"
}

# cover_agree OURS THEIRS REACH: the share of cells in reach, and of cells
# seen by either, that both count alike.
cover_agree() {
	[ -s "$2" ] || { echo "no raster written"; return; }
	"$UTIL" rast "$1" "$2" "$3" 2>&1 | awk '$1 == "corr" { e = $10; s = $12; r = $14; l = $16
		p = r ? 100 * l / r : 100; q = e ? 100 * s / e : 100
		printf "%s (%.2f%% of %d cells in reach count alike; %.2f%% of those either sees)",
			(p >= 95 ? "yes" : "no"), p, r, q; found = 1 }
		END { if (!found) printf "comparison failed" }'
}
