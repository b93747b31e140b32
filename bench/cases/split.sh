# bench/cases/split.sh: grid-split on the sample town and on a synth town
# with 10 times the households (issue 5). No peer does this job (QGIS and
# PostGIS make square or hexagon cells), so the row reports time and the
# quality figures of grid-split's --json report, and whether grid-check
# passes on both levels of the output.

split_one() { # TOWN.gpkg SIZE
	local t=$1 size=$2 w=$WORK/split q
	mkdir -p "$w"
	BENCH_PRE="rm -f $w/out.gpkg" wangge split "$size" grid-split "$RES/logs/split-$size.log" \
		bash -c "grid-split --json --seed 1 --households '$t:households' --barriers '$t:roads' \
			--barriers '$t:rivers' --villages '$t:villages' --primary 37 --secondary 131 \
			'$t:township' -o '$w/out.gpkg' >'$w/report.json'" || return
	q=$(jq -r '"\(.counts.primary)/\(.counts.secondary) grids, secondary weight within ±\(.secondary.weight.max_deviation_pct)%" +
		" (goal 10), Polsby-Popper median \(.secondary.compactness.median) min \(.secondary.compactness.min)" +
		" (goal 0.45/0.20), \(.limits.along_share * 1000 | round / 10)% of limits along barriers (goal 60)"' \
		"$w/report.json" 2>/dev/null)
	note_row "quality (--json)" "-" "-" "${q:-see results/logs/split-$size.log}"
	if [ -x "$BIN/grid-check" ]; then
		local code1 code2
		grid-check -q --boundary "$t:township" "$w/out.gpkg:primary" >"$RES/logs/split-check-$size.log" 2>&1
		code1=$?
		grid-check -q --boundary "$t:township" --parents "$w/out.gpkg:primary" "$w/out.gpkg:secondary" \
			>>"$RES/logs/split-check-$size.log" 2>&1
		code2=$?
		note_row "grid-check of output" "-" "-" \
			"$([ $code1 = 0 ] && [ $code2 = 0 ] && echo "yes (both levels pass)" || echo "no (exit $code1, $code2)")"
	else
		skip "grid-check of output" "grid-check not built yet"
	fi
}

case_split() {
	local s t
	if [ ! -x "$BIN/grid-split" ]; then
		row_start split "-" "-" "-"
		row_print split "-" "-" "-" grid-split "-" "-" "-" "skipped: grid-split not built yet"
		return
	fi
	for s in $SPLIT_TOWNS; do
		case $s in
		sample) t=$ROOT/data/samples/xiawuqi.gpkg ;;
		10x)
			t=$DATA/town-x10-s2021.gpkg
			if [ ! -s "$t" ]; then
				say "bench: generating the sample town with 10x the households"
				"$SYNTH" town --seed 2021 --scale 10 -o "$t" >"$RES/logs/synth-town-x10.log" 2>&1 ||
					{ say "bench: synth town failed, see results/logs/synth-town-x10.log"; continue; }
			fi
			;;
		esac
		split_one "$t" "$s"
	done
}
