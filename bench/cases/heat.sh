# bench/cases/heat.sh: grid-heat against QGIS's Heatmap and GRASS v.kernel
# (issue 7): quartic kernel, 500 m radius, 10 m pixels, clustered points,
# over the points' extent grown by the radius (QGIS's own extent, and
# grid-heat's default).
# Agreement: Pearson correlation on the shared pixels (goal >= 0.999) and,
# against QGIS's raw output, the integrals (goal within 0.5%); GRASS writes
# a density, so only its correlation is compared.

HEAT_RADIUS=500 HEAT_PIXEL=10

# rast_agree OURS THEIRS [integral]: the agreement text of two rasters.
rast_agree() {
	[ -s "$2" ] || { echo "no raster written"; return; }
	"$UTIL" rast "$1" "$2" 2>&1 | awk -v integral="${3:-}" '
	$1 == "corr" { c = $2; ia = $4; ib = $6
		ok = c >= 0.999; txt = sprintf("corr %.4f", c)
		if (integral) { d = ia ? (ib - ia) / ia * 100 : 0; ok = ok && d < 0.5 && d > -0.5
			txt = txt sprintf(", integral %+.2f%%", d) }
		printf "%s (%s)", ok ? "yes" : "no", txt; found = 1 }
	END { if (!found) printf "comparison failed" }'
}

heat_one() { # POINTS SIZE
	local points=$1 size=$2 w=$WORK/heat
	mkdir -p "$w"
	BENCH_PRE="rm -f $w/ours.tif $w/ours.tif.qml $w/ours.qml" wangge heat "$size" grid-heat "$RES/logs/heat-$size.log" \
		grid-heat -q --radius "$HEAT_RADIUS" --pixel "$HEAT_PIXEL" --kernel quartic --scale raw \
		"$points" -o "$w/ours.tif" || return
	if have qgis; then
		BENCH_PRE="rm -f $w/qgis.tif" AGREE_FN="rast_agree $w/ours.tif $w/qgis.tif integral" \
			run_peer "QGIS heatmap" "$RES/logs/heat-qgis-$size.log" \
			"${QGIS[@]}" run qgis:heatmapkerneldensityestimation -- "INPUT=$(qgis_name "$points")" \
			"RADIUS=$HEAT_RADIUS" "PIXEL_SIZE=$HEAT_PIXEL" KERNEL=0 OUTPUT_VALUE=0 "OUTPUT=$w/qgis.tif"
	else skip "QGIS heatmap" "${PEER_WHY[qgis]}"; fi
	if have grass; then
		# Import included: a GRASS user starts from the same file. -t skips
		# the attribute table, which only slows the import.
		BENCH_PRE="rm -f $w/grass.tif" AGREE_FN="rast_agree $w/ours.tif $w/grass.tif" \
			run_peer "GRASS v.kernel (+import)" "$RES/logs/heat-grass-$size.log" \
			grass --tmp-location EPSG:4548 --exec bash -c "
				v.in.ogr -o -t input='$(file_of "$points")' layer='$(layer_of "$points")' output=p --q &&
				g.region vector=p res=$HEAT_PIXEL -a && g.region grow=$((HEAT_RADIUS / HEAT_PIXEL)) &&
				v.kernel input=p output=h radius=$HEAT_RADIUS kernel=quartic --q &&
				r.out.gdal -f input=h output='$w/grass.tif' format=GTiff type=Float32 --q"
	else skip "GRASS v.kernel" "${PEER_WHY[grass]}"; fi
	rm -f "$w"/*.tif
}

case_heat() {
	local p dir points
	if [ ! -x "$BIN/grid-heat" ]; then
		row_start heat "-" "-" "-"
		row_print heat "-" "-" "-" grid-heat "-" "-" "-" "skipped: grid-heat not built yet"
		return
	fi
	for p in $HEAT_POINTS; do
		dir=$(synth_tiling 131 "$(num "$p")" --clustered) || continue
		points=$(synth_file "$dir" points)
		heat_one "$points" "$(sci "$(num "$p")")"
	done
}
