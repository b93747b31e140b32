# bench/cases/scale.sh: how cost grows with input size. grid-place
# --summary into 131 grids for 10^4..10^7 uniform points, beside a plain OGR
# read of the same points (the floor), and grid-heat for 10^3..10^6
# clustered points. wangge alone; rows go to the scaling table.

scale_row() { # CASE SIZE N READ_S
	local per
	per=$(awk -v t="$T" -v n="$3" 'BEGIN { printf "%.3f", t / n * 1e6 }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$T" "$R" "$per" "$4" >>"$RES/scale.tsv"
	printf '%-16s %-14s %8s %6s | %s s per 10^6%s\n' "scale $1" "$2" "$T" "$R" "$per" "${4:+, plain read $4 s}"
}

case_scale() {
	local p n dir points read w=$WORK/scale
	mkdir -p "$w"
	if [ -x "$BIN/grid-place" ]; then
		for p in $SCALE_POINTS; do
			n=$(num "$p")
			dir=$(synth_tiling 131 "$n") || continue
			points=$(synth_file "$dir" points)
			measure 3 "$RES/logs/scale-read-$p.log" "$UTIL" read "$points" && read=$T || read="-"
			BENCH_PRE="rm -f $w/sum.csv" measure "$BENCH_RUNS" "$RES/logs/scale-place-$p.log" \
				grid-place -q --summary "$w/sum.csv" -g "$(synth_file "$dir" grids)" "$points" &&
				scale_row place-count "$(sci "$n")" "$n" "$read"
		done
	else
		say "bench: scale: grid-place not built yet"
	fi
	if [ -x "$BIN/grid-heat" ]; then
		for p in $SCALE_HEAT_POINTS; do
			n=$(num "$p")
			dir=$(synth_tiling 131 "$n" --clustered) || continue
			BENCH_PRE="rm -f $w/h.tif $w/h.qml $w/h.tif.qml" measure "$BENCH_RUNS" "$RES/logs/scale-heat-$p.log" \
				grid-heat -q --radius 500 --pixel 10 "$(synth_file "$dir" points)" -o "$w/h.tif" &&
				scale_row heat "$(sci "$n")" "$n" ""
		done
	else
		say "bench: scale: grid-heat not built yet"
	fi
}
