# bench/cases/district.sh: a district run by scripts/district. For each count
# of DISTRICT_TOWNS (default 20 and 100) synthetic towns (synth-district,
# codes 120114101.., DISTRICT_SCALE households per town as a fraction of the
# sample's 13,000), the per-town pipeline (check, place, heat, maps,
# assessment) over one file per town: serially (-j 1) and in parallel (-j
# cores), the wall times, the towns' CPU seconds, the parallel wall against
# total CPU / cores (the floor: at most 1.15), and the parallel outputs
# compared byte for byte with the serial ones (GeoPackages without their
# timestamps). Then, for the first count, the same district in one PostGIS:
# the load time (ogr2ogr, every town's layers with its code) and a parallel
# run writing each town's tables to a schema of its own. Last, placing
# DISTRICT_PG_POINTS points stored in PostGIS into the largest district's
# grids (a city's) with grid-place, beside the same count as one PostGIS query
# (ST_Contains with GiST indexes), the per-grid counts compared. Rows go to
# results/district.tsv. DISTRICT_SERIAL=0 and DISTRICT_PG=0 leave out the
# serial runs and the PostGIS district run.

district_same() { # DIR_A DIR_B: echoes "SAME DIFFER"
	local f g same=0 differ=0
	for f in "$1"/towns/*/*; do
		g=$2/${f#"$1"/}
		if cmp -s "$f" "$g" || { [[ $f == *.gpkg ]] &&
			cmp -s <(sqlite3 "$f" .dump | grep -v 'INTO gpkg_contents') \
				<(sqlite3 "$g" .dump | grep -v 'INTO gpkg_contents'); }; then
			same=$((same + 1))
		else
			differ=$((differ + 1))
			echo "differs: $f" >>"$RES/logs/district-differ.log"
		fi
	done
	echo "$same $differ"
}

district_cpu() { awk -F'\t' 'NR > 1 && $5 != "-" { t += $5 } END { printf "%.1f", t }' "$1/summary.tsv"; }
district_wall() { # COMMAND...: runs it, sets W (wall seconds)
	local t0
	t0=$(date +%s%N)
	"$@" >>"$RES/logs/district-runs.log" 2>&1
	W=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
}

district_row() { # WHAT N VALUE NOTE
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RES/district.tsv"
	printf '%-16s %-14s %8s | %s\n' "district" "$2 towns" "$3" "$1${4:+ ($4)}"
}

case_district() {
	local n dir w cores=${DISTRICT_CORES:-$(nproc)} cpu ws wp same first="" biggest=""
	local scale=${DISTRICT_SCALE:-0.25}
	if [ ! -x "$BIN/grid-place" ] || ! command -v parallel >/dev/null; then
		say "bench: district: needs the tools built and GNU parallel (make bench-deps)"
		return 0
	fi
	: >"$RES/district.tsv"
	say "bench: district: load $(cut -d' ' -f1-3 /proc/loadavg) on $cores cores; towns of $scale x 13,000 households"
	for n in ${DISTRICT_TOWNS:-20 100}; do
		dir=$DATA/district-$n-$scale
		[ -f "$dir/township.gpkg" ] ||
			"$ROOT/scripts/synth-district" "$n" "$dir" --scale "$scale" --files --jobs "$cores" \
				>"$RES/logs/district-synth-$n.log" 2>&1 || { say "bench: district: synth-district $n failed"; continue; }
		w=$WORK/district-$n
		rm -rf "$w"
		district_wall "$ROOT/scripts/district" -q -j "$cores" -o "$w/parallel" --data "$dir/towns/{code}.gpkg" "$dir/township.gpkg"
		wp=$W cpu=$(district_cpu "$w/parallel")
		district_row "parallel wall s" "$n" "$wp" "-j $cores, load $(cut -d' ' -f1 /proc/loadavg) at the end"
		district_row "CPU s per town" "$n" "$(awk -v c="$cpu" -v n="$n" 'BEGIN { printf "%.2f", c / n }')" "total $cpu s"
		district_row "parallel / (CPU / cores)" "$n" "$(awk -v w="$wp" -v c="$cpu" -v k="$cores" 'BEGIN { printf "%.2f", w / (c / k) }')" "floor 1.15"
		district_steps "$w/parallel" "$n"
		# DISTRICT_SERIAL=0 leaves out the serial run (a long one on a busy machine).
		if [ "${DISTRICT_SERIAL:-1}" = 1 ]; then
			district_wall "$ROOT/scripts/district" -q -j 1 -o "$w/serial" --data "$dir/towns/{code}.gpkg" "$dir/township.gpkg"
			ws=$W
			same=$(district_same "$w/parallel" "$w/serial")
			district_row "serial wall s" "$n" "$ws" "-j 1"
			district_row "speed-up" "$n" "$(awk -v a="$ws" -v b="$wp" 'BEGIN { printf "%.2f", a / b }')" "serial / parallel"
			district_row "files identical" "$n" "${same% *}" "${same#* } differ"
		fi
		# PostGIS for the first count, before the larger ones.
		if [ -z "$first" ] && [ "${DISTRICT_PG:-1}" = 1 ] && { [ -n "$PG_DIR" ] || pg_start; }; then
			district_pg "$n" "$scale" "$cores"
		fi
		[ -n "$first" ] || first=$n
		biggest=$n
	done
	[ -n "$first" ] || return 0
	if [ -z "$PG_DIR" ] && ! pg_start; then
		say "bench: district: PostGIS: ${PEER_WHY[postgis]}"
		return 0
	fi
	district_pg_place "$biggest" "$scale"
}

# The steps' share of a town's time (the serial run's logs).
district_steps() {
	local s
	for s in check place heat maps assess; do
		district_row "$s s per town" "$2" "$(awk -F'\t' -v s="$s" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == s "_s") c = i; next }
			$c != "-" { t += $c; n++ } END { printf "%.2f", n ? t / n : 0 }' "$1/summary.tsv")" "wall"
	done
}

district_pg() { # N SCALE CORES
	local n=$1 dir=$DATA/district-$1-$2 w=$WORK/district-$1 f code l t0 pg="PG:$PG_CONN"
	t0=$(date +%s%N)
	for f in "$dir"/towns/*.gpkg; do
		code=$(basename "$f" .gpkg)
		ogr2ogr -append -f PostgreSQL "$pg" "$f" township -lco GEOMETRY_NAME=geom -lco FID=fid \
			--config PG_USE_COPY YES >>"$RES/logs/district-pg-load.log" 2>&1
		for l in primary secondary households hazards cases ponds ditches visits pond_inspections; do
			ogr2ogr -append -f PostgreSQL "$pg" "$f" -nln "$l" -lco GEOMETRY_NAME=geom -lco FID=fid \
				--config PG_USE_COPY YES -sql "SELECT *, '$code' AS code FROM \"$l\"" \
				>>"$RES/logs/district-pg-load.log" 2>&1
		done
	done
	for l in township primary secondary households hazards cases ponds ditches visits pond_inspections; do
		psql "$PG_CONN" -qAt -c "CREATE INDEX ON $l (code); ANALYZE $l" >/dev/null 2>&1
	done
	district_row "PostGIS load s" "$n" "$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')" \
		"ogr2ogr, 10 layers a town, code indexed"
	district_wall "$ROOT/scripts/district" -q -j "$3" -o "$w/pg" --pg "$pg" --data "$pg" "$pg:township"
	district_row "PostGIS parallel wall s" "$n" "$W" "-j $3, $(grep -c done "$w/pg/summary.tsv") towns done"
	district_row "PostGIS CPU s per town" "$n" "$(awk -v c="$(district_cpu "$w/pg")" -v n="$n" 'BEGIN { printf "%.2f", c / n }')" "the tools' CPU, not the server's"
}

# grid-place reading DISTRICT_PG_POINTS points from PostGIS into a city's
# secondaries, against one SQL query doing the same count.
district_pg_place() { # N SCALE
	local n=$1 dir=$DATA/district-$1-$2 w=$WORK/district-$1 np=${DISTRICT_PG_POINTS:-1e7} pg="PG:$PG_CONN" tp tq agree
	np=$(num "$np")
	mkdir -p "$w"
	ogr2ogr -f GPKG "$w/city.gpkg" "$dir/towns/120114101.gpkg" secondary -nln grids >/dev/null 2>&1
	for f in "$dir"/towns/*.gpkg; do
		[ "$f" = "$dir/towns/120114101.gpkg" ] || ogr2ogr -append "$w/city.gpkg" "$f" secondary -nln grids >/dev/null 2>&1
	done
	psql "$PG_CONN" -qAt -c "DROP TABLE IF EXISTS city_points; CREATE TABLE city_points (fid serial PRIMARY KEY, geom geometry(Point, 4548));
		INSERT INTO city_points (geom) SELECT ST_SetSRID(ST_MakePoint(e.xmin + random() * (e.xmax - e.xmin), e.ymin + random() * (e.ymax - e.ymin)), 4548)
		FROM (SELECT 417500::float8 AS xmin, 567500::float8 AS xmax, $((4361000 - (n + 9) / 10 * 15000 + 7500))::float8 AS ymin, 4367500::float8 AS ymax) e, generate_series(1, $np);
		CREATE INDEX ON city_points USING gist (geom); ANALYZE city_points" >"$RES/logs/district-pg-points.log" 2>&1
	ogr2ogr -overwrite -f PostgreSQL "$pg" "$w/city.gpkg" grids -nln city_grids -lco GEOMETRY_NAME=geom -lco FID=fid \
		-lco SPATIAL_INDEX=GIST >>"$RES/logs/district-pg-points.log" 2>&1
	psql "$PG_CONN" -qAt -c "ANALYZE city_grids" >/dev/null 2>&1
	rm -f "$w/wangge.csv"
	district_wall grid-place -q -g "$w/city.gpkg:grids" --summary "$w/wangge.csv" "$pg:city_points"
	tp=$W
	district_wall psql "$PG_CONN" -qAt -F, -o "$w/sql.csv" -c "SELECT g.grid_id, count(*) FROM city_grids g
		JOIN city_points p ON ST_Contains(g.geom, p.geom) GROUP BY g.grid_id"
	tq=$W
	# The per-grid counts: wangge's summary against the query's (grids with points).
	agree=$(diff <(tail -n +2 "$w/wangge.csv" | tr -d '"\r' | awk -F, '$3 > 0 { print $1 "," $3 }' | sort) \
		<(sort "$w/sql.csv") >/dev/null && echo "per-grid counts agree" || echo "per-grid counts DIFFER")
	district_row "place from PostGIS s" "$n" "$tp" "$(sci "$np") points, $(($(wc -l <"$w/wangge.csv") - 1)) grids, grid-place"
	district_row "one PostGIS query s" "$n" "$tq" "ST_Contains, GiST; $agree"
	district_row "query / grid-place" "$n" "$(awk -v a="$tq" -v b="$tp" 'BEGIN { printf "%.2f", a / b }')" "floor 2"
}
