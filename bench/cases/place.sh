# bench/cases/place.sh: grid-place against the ways a user counts points in
# grids and tags points with their grid (issue 6), on synth tilings (the
# secondaries of grids.gpkg, uniform points in its layer `points`).
#
# place-count: `grid-place --summary` alone; the floor is a plain OGR read
#   of the same points (util read); peers: ogr2ogr -dialect SQLite and the
#   spatialite CLI (the same SQL, through the GeoPackage's R-tree), PostGIS
#   (ST_Intersects join on GiST indexes; load reported apart), QGIS
#   native:countpointsinpolygon, mapshaper -join count().
# place-write (for PLACE_WRITE_GRIDS grids only, to keep the default run
#   short): every point written to GeoPackage with its grid_id; peers:
#   ogr2ogr's plain copy of the points (the floor), QGIS
#   native:joinattributesbylocation, and (BENCH_SIZES=full) ogr2ogr
#   -dialect SQLite writing the join.
# Agreement: per-grid counts equal. Peers that use ST_Intersects count a
# point on an edge shared by two grids in both; grid-place in one.

# same_counts A.csv B.csv: compares per-grid counts in two CSV files whose
# header names grid_id and a count column (count, n, NUMPOINTS).
same_counts() {
	[ -s "$1" ] && [ -s "$2" ] || { echo "no result"; return; }
	awk -F, '
	FNR == 1 { for (i = 1; i <= NF; i++) { h = tolower($i); gsub(/"/, "", h)
			if (h == "grid_id") id = i; if (h == "count" || h == "n" || h == "numpoints") c = i }
		file++; next }
	{ gsub(/"/, ""); if (file == 1) a[$id] = $c; else b[$id] = $c }
	END { for (k in a) { ta += a[k]; if (a[k] != b[k] + 0) d++ }
		for (k in b) { tb += b[k]; if (!(k in a)) d++ }
		if (!d) printf "yes (%d points)", ta
		else printf "no: %d grids differ, %d vs %d points", d, ta, tb }' "$1" "$2"
}

# first_table FILE: the first table of a GeoPackage.
first_table() { sqlite3 "$1" "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' LIMIT 1"; }

# counts_of FILE: per-grid counts of a written point file, as CSV.
counts_of() {
	ogr2ogr -f CSV /vsistdout/ "$1" -dialect SQLite \
		-sql "SELECT grid_id, COUNT(*) AS n FROM \"$(first_table "$1")\" GROUP BY grid_id" 2>/dev/null
}

# The counting SQL, shared by ogr2ogr -dialect SQLite and spatialite: for
# each grid, the points whose R-tree box meets the grid's box and that
# intersect it. Arguments: the dialect's MINX MAXX MINY MAXY functions.
count_sql() {
	cat <<EOF
SELECT g.grid_id AS grid_id, (SELECT COUNT(*) FROM points p JOIN rtree_points_geom r ON p.fid = r.id
  WHERE r.minx <= $2(g.geom) AND r.maxx >= $1(g.geom) AND r.miny <= $4(g.geom) AND r.maxy >= $3(g.geom)
  AND ST_Intersects(g.geom, p.geom)) AS n FROM secondary g
EOF
}

# peer_copy DIR: a copy of grids.gpkg with an R-tree on the points, made
# once per data set, for the SQLite peers and QGIS. synth writes none, but a
# user's GeoPackage has one (ogr2ogr and QGIS make it), and without it QGIS
# scans every point for every grid. Its build time is a row of its own, not
# part of the peers' times.
peer_copy() {
	[ "$(cat "$WORK/place/peer.from" 2>/dev/null)" = "$1" ] && [ -s "$WORK/place/peer.gpkg" ] && return
	cp "$1/grids.gpkg" "$WORK/place/peer.gpkg"
	echo "$1" >"$WORK/place/peer.from"
	measure 1 "$RES/logs/place-rtree.log" ogrinfo -q "$WORK/place/peer.gpkg" \
		-sql "SELECT CreateSpatialIndex('points', 'geom')" &&
		note_row "R-tree on points (prep)" "$T" "$R" "for the SQLite peers, not in their times"
}

place_count() { # DIR SIZE
	local dir=$1 size=$2 w=$WORK/place grids points lt lr
	grids=$(synth_file "$dir" grids) points=$(synth_file "$dir" points)
	mkdir -p "$w"
	BENCH_PRE="rm -f $w/sum.csv" wangge place-count "$size" grid-place "$RES/logs/place-count-$size.log" \
		grid-place -q --summary "$w/sum.csv" -g "$grids" "$points" || return
	measure 3 "$RES/logs/place-read-$size.log" "$UTIL" read "$points" &&
		note_row "plain OGR read (floor)" "$T" "$R" \
			"wangge/read $(awk -v a="$ROW_T" -v b="$T" 'BEGIN { printf "%.2f", a / b }') (goal <= 1.5)"
	# Placing alone: the same number of points drawn in memory, one thread.
	local n loc
	n=$(awk -v s="${size%%x*}" 'BEGIN { split(s, a, "^"); printf "%d", (2 in a) ? a[1] ^ a[2] : a[1] }')
	if loc=$("$LOCATE" "$grids" "$n" 2>>"$RES/logs/place-locate-$size.log"); then
		note_row "placing alone (locate)" "$(awk '{ print $6 }' <<<"$loc")" "-" \
			"$(awk '{ printf "%.1f M points/s in batches, %.1f M one by one (goal >= 5)", $8, $12 }' <<<"$loc")"
	else skip "placing alone (locate)" "bench/locate failed, see logs/place-locate-$size.log"; fi

	AGREE_FN="same_counts $w/sum.csv $w/peer.csv"
	peer_copy "$dir"
	if have ogr2ogr && have spatialite; then
		count_sql ST_MinX ST_MaxX ST_MinY ST_MaxY >"$w/count.sql"
		BENCH_PRE="rm -f $w/peer.csv" run_peer "ogr2ogr -dialect SQLite" "$RES/logs/place-count-ogrsql-$size.log" \
			ogr2ogr -f CSV "$w/peer.csv" "$w/peer.gpkg" -dialect SQLite -sql "@$w/count.sql"
		{
			echo "SELECT EnableGpkgAmphibiousMode();"
			echo ".headers on"
			count_sql MbrMinX MbrMaxX MbrMinY MbrMaxY
			echo ";"
		} >"$w/count-spatialite.sql"
		run_peer "spatialite CLI" "$RES/logs/place-count-spatialite-$size.log" \
			bash -c "spatialite -silent -csv '$w/peer.gpkg' <'$w/count-spatialite.sql' | grep -v '^\$' >'$w/peer.csv'"
	else skip "SpatiaLite SQL" "${PEER_WHY[ogr2ogr]}${PEER_WHY[spatialite]}"; fi

	if have postgis; then
		if pg_load "$points" points && { lt=$LT lr=$LR; pg_load "$grids" grids -nlt PROMOTE_TO_MULTI; }; then
			note_row "PostGIS load (ogr2ogr)" "$(awk -v a="$lt" -v b="$LT" 'BEGIN { printf "%.3f", a + b }')" \
				"$lr" "points and grids, GiST indexes"
			PEER_MEM=server run_peer "PostGIS query" "$RES/logs/place-count-postgis-$size.log" \
				psql "$PG_CONN" -qAt -F, -o "$w/peer.csv" -c "SELECT 'grid_id', 'n' UNION ALL
					(SELECT g.grid_id, count(p.fid)::text FROM grids g LEFT JOIN points p
					 ON ST_Intersects(g.geom, p.geom) GROUP BY g.grid_id)"
		else skip "PostGIS" "load failed, see results/logs/postgis-load-*.log"; fi
	else skip "PostGIS" "${PEER_WHY[postgis]}"; fi

	if have qgis; then
		BENCH_PRE="rm -f $w/qgis.gpkg" AGREE_FN=agree_qgis_count \
			run_peer "QGIS count points" "$RES/logs/place-count-qgis-$size.log" \
			"${QGIS[@]}" run native:countpointsinpolygon -- "POLYGONS=$w/peer.gpkg|layername=secondary" \
			"POINTS=$w/peer.gpkg|layername=points" FIELD=n "OUTPUT=$w/qgis.gpkg"
	else skip "QGIS count points" "${PEER_WHY[qgis]}"; fi

	if have mapshaper; then
		BENCH_PRE="rm -f $w/peer.csv" run_peer "mapshaper -join" "$RES/logs/place-count-mapshaper-$size.log" \
			"$MAPSHAPER" -i "$dir/grids.gpkg" layers=secondary,points -join target=secondary source=points \
			"calc=n=count()" -target secondary -o "$w/peer.csv" -quiet
	else skip "mapshaper -join" "${PEER_WHY[mapshaper]}"; fi
}

# QGIS writes a GeoPackage of grids with their counts.
agree_qgis_count() {
	local f=$WORK/place/qgis.gpkg
	ogr2ogr -f CSV "$WORK/place/peer.csv" "$f" -overwrite \
		-sql "SELECT grid_id, n FROM \"$(first_table "$f")\"" 2>/dev/null
	same_counts "$WORK/place/sum.csv" "$WORK/place/peer.csv"
}

place_write() { # DIR SIZE
	local dir=$1 size=$2 w=$WORK/place grids points
	grids=$(synth_file "$dir" grids) points=$(synth_file "$dir" points)
	mkdir -p "$w"
	BENCH_PRE="rm -f $w/out.gpkg" wangge place-write "$size" grid-place "$RES/logs/place-write-$size.log" \
		grid-place -q -g "$grids" "$points" -o "$w/out.gpkg" || return
	counts_of "$w/out.gpkg" >"$w/ours.csv"
	rm -f "$w/out.gpkg"
	if have ogr2ogr && have spatialite; then
		AGREE_FN="echo reference: copies the points, places nothing (goal: ratio >= 1)" BENCH_PRE="rm -f $w/copy.gpkg" \
			run_peer "ogr2ogr copy (floor)" "$RES/logs/place-write-copy-$size.log" \
			ogr2ogr "$w/copy.gpkg" "$(file_of "$points")" points
		rm -f "$w/copy.gpkg"
	else skip "ogr2ogr copy (floor)" "${PEER_WHY[ogr2ogr]}"; fi
	# The SQL join writing every point costs minutes; in the full run only.
	peer_copy "$dir"
	if [ "$BENCH_SIZES" = full ] && have ogr2ogr && have spatialite; then
		cat >"$w/join.sql" <<'EOF'
SELECT p.*, (SELECT g.grid_id FROM secondary g JOIN rtree_secondary_geom r ON g.fid = r.id
  WHERE r.minx <= ST_X(p.geom) AND r.maxx >= ST_X(p.geom) AND r.miny <= ST_Y(p.geom) AND r.maxy >= ST_Y(p.geom)
  AND ST_Intersects(g.geom, p.geom) LIMIT 1) AS grid_id FROM points p
EOF
		rm -f "$w/peer.csv"
		BENCH_PRE="rm -f $w/joined.gpkg" AGREE_FN=agree_sql_join \
			run_peer "ogr2ogr -dialect SQLite" "$RES/logs/place-write-ogrsql-$size.log" \
			ogr2ogr -nln joined "$w/joined.gpkg" "$w/peer.gpkg" -dialect SQLite -sql "@$w/join.sql"
		rm -f "$w/joined.gpkg"
	elif [ "$BENCH_SIZES" != full ]; then skip "ogr2ogr -dialect SQLite join" "in BENCH_SIZES=full only"
	else skip "ogr2ogr -dialect SQLite join" "${PEER_WHY[ogr2ogr]}${PEER_WHY[spatialite]}"; fi
	if have qgis; then
		rm -f "$w/peer.csv"
		BENCH_PRE="rm -f $w/qjoin.gpkg" AGREE_FN=agree_qgis_join \
			run_peer "QGIS join by location" "$RES/logs/place-write-qgis-$size.log" \
			"${QGIS[@]}" run native:joinattributesbylocation -- "INPUT=$w/peer.gpkg|layername=points" \
			"JOIN=$w/peer.gpkg|layername=secondary" PREDICATE=0 JOIN_FIELDS=grid_id METHOD=1 \
			DISCARD_NONMATCHING=false "OUTPUT=$w/qjoin.gpkg"
		rm -f "$w/qjoin.gpkg"
	else skip "QGIS join by location" "${PEER_WHY[qgis]}"; fi
}

agree_sql_join() {
	counts_of "$WORK/place/joined.gpkg" >"$WORK/place/peer.csv"
	same_counts "$WORK/place/ours.csv" "$WORK/place/peer.csv"
}

agree_qgis_join() {
	counts_of "$WORK/place/qjoin.gpkg" >"$WORK/place/peer.csv"
	same_counts "$WORK/place/ours.csv" "$WORK/place/peer.csv"
}

case_place() {
	local p k dir
	if [ ! -x "$BIN/grid-place" ]; then
		row_start place "-" "-" "-"
		row_print place "-" "-" "-" grid-place "-" "-" "-" "skipped: grid-place not built yet"
		return
	fi
	for p in $PLACE_POINTS; do
		for k in $PLACE_GRIDS; do
			dir=$(synth_tiling "$k" "$(num "$p")") || continue
			place_count "$dir" "$(sci "$(num "$p")")x$k"
			[[ " $PLACE_WRITE_GRIDS " == *" $k "* ]] && place_write "$dir" "$(sci "$(num "$p")")x$k"
			rm -f "$WORK/place/peer.gpkg"
		done
	done
}
