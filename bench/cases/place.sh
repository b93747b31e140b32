# bench/cases/place.sh: grid-place against the ways a user counts points in
# grids and tags points with their grid (issue 6).
#
# place-count: `grid-place --summary` alone; the floor is a plain OGR read
#   of the same points (util read); peers: ogr2ogr -dialect SQLite and the
#   spatialite CLI (the same SQL, through the GeoPackage's own R-tree),
#   PostGIS (ST_Intersects join on GiST indexes; load reported apart),
#   QGIS native:countpointsinpolygon, mapshaper -join count().
# place-write: every point written to GeoPackage with its grid_id; peers:
#   ogr2ogr's plain copy of the points (the floor), ogr2ogr -dialect SQLite
#   writing the join, QGIS native:joinattributesbylocation.
# Agreement: per-grid counts equal. Peers that use ST_Intersects count a
# point on an edge shared by two grids in both; grid-place in one.

# gpkg_layer FILE: sets GL (table) and GC (geometry column) of its first layer.
gpkg_layer() {
	local row
	row=$(sqlite3 "$1" "SELECT table_name || ' ' || column_name FROM gpkg_geometry_columns LIMIT 1")
	GL=${row% *} GC=${row#* }
}

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

# counts_of FILE: per-grid counts of a written point file, as CSV.
counts_of() {
	local GL GC
	gpkg_layer "$1"
	ogr2ogr -f CSV /vsistdout/ "$1" -dialect SQLite \
		-sql "SELECT grid_id, COUNT(*) AS n FROM \"$GL\" GROUP BY grid_id" 2>/dev/null
}

# The counting SQL, shared by ogr2ogr -dialect SQLite and spatialite: for
# each grid, the points whose R-tree box meets the grid's box and that
# intersect it.
count_sql() { # POINTS_TABLE POINTS_GEOM MINX MAXX MINY MAXY
	cat <<EOF
SELECT g.grid_id AS grid_id, (SELECT COUNT(*) FROM "$1" p JOIN "rtree_$1_$2" r ON p.fid = r.id
  WHERE r.minx <= $4(g.geom) AND r.maxx >= $3(g.geom) AND r.miny <= $6(g.geom) AND r.maxy >= $5(g.geom)
  AND ST_Intersects(g.geom, p."$2")) AS n FROM bench_grids g
EOF
}

place_count() { # DIR GRIDS POINTS SIZE
	local dir=$1 grids=$2 points=$3 size=$4 w=$WORK/place GL GC
	mkdir -p "$w"
	BENCH_PRE="rm -f $w/sum.csv" wangge place-count "$size" grid-place "$RES/logs/place-count-$size.log" \
		grid-place -q --summary "$w/sum.csv" -g "$grids" "$points" || return
	measure 3 "$RES/logs/place-read-$size.log" "$UTIL" read "$points" &&
		note_row "plain OGR read (floor)" "$T" "$R" "wangge/read $(awk -v a="$ROW_T" -v b="$T" 'BEGIN { printf "%.2f", a / b }') (goal <= 1.5)"

	# The SQLite peers read grids and points from one file: a copy of the
	# points with the grids added (made untimed).
	gpkg_layer "$points"
	cp "$points" "$w/peer.gpkg"
	ogr2ogr -update "$w/peer.gpkg" "$grids" -nln bench_grids >/dev/null 2>&1
	count_sql "$GL" "$GC" ST_MinX ST_MaxX ST_MinY ST_MaxY >"$w/count.sql"
	AGREE_FN="same_counts $w/sum.csv $w/peer.csv"
	if have ogr2ogr; then
		run_peer "ogr2ogr -dialect SQLite" "$RES/logs/place-count-ogrsql-$size.log" \
			ogr2ogr -f CSV "$w/peer.csv" "$w/peer.gpkg" -dialect SQLite -sql "@$w/count.sql" -overwrite
	else skip "ogr2ogr -dialect SQLite" "${PEER_WHY[ogr2ogr]}"; fi
	if have spatialite; then
		{
			echo "SELECT EnableGpkgAmphibiousMode();"
			echo ".headers on"
			count_sql "$GL" "$GC" MbrMinX MbrMaxX MbrMinY MbrMaxY
			echo ";"
		} >"$w/count-spatialite.sql"
		run_peer "spatialite CLI" "$RES/logs/place-count-spatialite-$size.log" \
			bash -c "spatialite -silent -csv '$w/peer.gpkg' <'$w/count-spatialite.sql' | grep -v '^\$' >'$w/peer.csv'"
	else skip "spatialite CLI" "${PEER_WHY[spatialite]}"; fi
	rm -f "$w/peer.gpkg"

	if have postgis; then
		if pg_load "$points" points && { local lt=$LT lr=$LR; pg_load "$grids" grids; }; then
			note_row "PostGIS load (ogr2ogr)" "$(awk -v a="$lt" -v b="$LT" 'BEGIN { printf "%.3f", a + b }')" "$lr" "points and grids, GiST indexes"
			PEER_MEM=server run_peer "PostGIS query" "$RES/logs/place-count-postgis-$size.log" \
				psql "$PG_CONN" -qAt -F, -o "$w/peer.csv" -c "SELECT 'grid_id', 'n' UNION ALL
					(SELECT g.grid_id, count(p.fid)::text FROM grids g LEFT JOIN points p
					 ON ST_Intersects(g.geom, p.geom) GROUP BY g.grid_id)"
		else skip "PostGIS" "load failed, see results/logs/postgis-load-*.log"; fi
	else skip "PostGIS" "${PEER_WHY[postgis]}"; fi

	if have qgis; then
		BENCH_PRE="rm -f $w/qgis.gpkg" AGREE_FN=agree_qgis_count run_peer "QGIS count points" "$RES/logs/place-count-qgis-$size.log" \
			"${QGIS[@]}" run native:countpointsinpolygon -- "POLYGONS=$grids" "POINTS=$points" \
			FIELD=n "OUTPUT=$w/qgis.gpkg"
	else skip "QGIS count points" "${PEER_WHY[qgis]}"; fi

	if have mapshaper; then
		BENCH_PRE="rm -f $w/peer.csv" run_peer "mapshaper -join" "$RES/logs/place-count-mapshaper-$size.log" \
			"$MAPSHAPER" -i "$grids" -join "$points" "calc=n=count()" -o "$w/peer.csv" -quiet
	else skip "mapshaper -join" "${PEER_WHY[mapshaper]}"; fi
}

# QGIS writes a GeoPackage of grids with their counts.
agree_qgis_count() {
	local f=$WORK/place/qgis.gpkg GL GC
	gpkg_layer "$f"
	ogr2ogr -f CSV "$WORK/place/peer.csv" "$f" -overwrite -sql "SELECT grid_id, n FROM \"$GL\"" 2>/dev/null
	same_counts "$WORK/place/sum.csv" "$WORK/place/peer.csv"
}

place_write() { # DIR GRIDS POINTS SIZE
	local dir=$1 grids=$2 points=$3 size=$4 w=$WORK/place GL GC
	mkdir -p "$w"
	BENCH_PRE="rm -f $w/out.gpkg" wangge place-write "$size" grid-place "$RES/logs/place-write-$size.log" \
		grid-place -q -g "$grids" "$points" -o "$w/out.gpkg" || return
	counts_of "$w/out.gpkg" >"$w/ours.csv"
	rm -f "$w/out.gpkg"
	AGREE_FN="same_counts $w/ours.csv $w/peer.csv"
	if have ogr2ogr; then
		AGREE_FN="echo reference: copies the points, places nothing" BENCH_PRE="rm -f $w/copy.gpkg" \
			run_peer "ogr2ogr copy (floor)" "$RES/logs/place-write-copy-$size.log" \
			ogr2ogr "$w/copy.gpkg" "$points"
		rm -f "$w/copy.gpkg"
		gpkg_layer "$points"
		cp "$points" "$w/peer.gpkg"
		ogr2ogr -update "$w/peer.gpkg" "$grids" -nln bench_grids >/dev/null 2>&1
		cat >"$w/join.sql" <<EOF
SELECT p.*, (SELECT g.grid_id FROM bench_grids g JOIN rtree_bench_grids_geom r ON g.fid = r.id
  WHERE r.minx <= ST_X(p."$GC") AND r.maxx >= ST_X(p."$GC") AND r.miny <= ST_Y(p."$GC") AND r.maxy >= ST_Y(p."$GC")
  AND ST_Intersects(g.geom, p."$GC") LIMIT 1) AS grid_id FROM "$GL" p
EOF
		rm -f "$w/peer.csv"
		BENCH_PRE="rm -f $w/joined.gpkg" AGREE_FN=agree_sql_join \
			run_peer "ogr2ogr -dialect SQLite" "$RES/logs/place-write-ogrsql-$size.log" \
			ogr2ogr -nln joined "$w/joined.gpkg" "$w/peer.gpkg" -dialect SQLite -sql "@$w/join.sql"
		rm -f "$w/peer.gpkg" "$w/joined.gpkg"
	else skip "ogr2ogr" "${PEER_WHY[ogr2ogr]}"; fi
	if have qgis; then
		rm -f "$w/peer.csv"
		BENCH_PRE="rm -f $w/qjoin.gpkg" AGREE_FN="agree_qgis_join" \
			run_peer "QGIS join by location" "$RES/logs/place-write-qgis-$size.log" \
			"${QGIS[@]}" run native:joinattributesbylocation -- "INPUT=$points" "JOIN=$grids" PREDICATE=0 \
			JOIN_FIELDS=grid_id METHOD=1 DISCARD_NONMATCHING=false "OUTPUT=$w/qjoin.gpkg"
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
	local p k dir grids points size
	if [ ! -x "$BIN/grid-place" ]; then
		row_start place "-" "-" "-"
		row_print place "-" "-" "-" grid-place "-" "-" "-" "skipped: grid-place not built yet"
		return
	fi
	for p in $PLACE_POINTS; do
		for k in $PLACE_GRIDS; do
			dir=$(synth_tiling "$k" "$(num "$p")") || continue
			grids=$(synth_file "$dir" grids) points=$(synth_file "$dir" points)
			size="$(sci "$(num "$p")")x$k"
			place_count "$dir" "$grids" "$points" "$size"
			place_write "$dir" "$grids" "$points" "$size"
		done
	done
}
