# bench/report.sh: `report` prints bench/results/last.md, the Markdown that
# docs/performance.md is copied from: machine, versions, the rows of
# rows.tsv and the scaling table of scale.tsv.


report() {
	local cpu cores
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	cores=$(nproc)
	echo "## Run of $(date -u '+%Y-%m-%d %H:%M UTC'), BENCH_SIZES=$BENCH_SIZES"
	echo
	echo "- Machine: $cores cores, ${cpu:-unknown CPU}, $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM, $(uname -sr)"
	echo "- wangge $(sed -n 's/#define GEO_VERSION "\(.*\)"/\1/p' "$ROOT/libgeo/geo.h") ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)), built with ${BENCH_BUILD:-flags not recorded}"
	echo "- GDAL $(gdal-config --version 2>/dev/null), GEOS $(geos-config --version 2>/dev/null), PROJ $(pkg-config --modversion proj 2>/dev/null), SpatiaLite $(pkg-config --modversion spatialite 2>/dev/null)"
	echo "- Peers: QGIS $("${QGIS[@]}" --version 2>/dev/null | sed -n 's/^QGIS \([0-9.]*\).*/\1/p' | head -n 1)," \
		"PostGIS $(ls /usr/share/postgresql/*/extension/postgis--*.sql 2>/dev/null | sed -n 's/.*postgis--\([0-9.]*\)\.sql$/\1/p' | sort -V | tail -n 1)" \
		"on PostgreSQL $(ls -d /usr/lib/postgresql/*/ 2>/dev/null | sort -V | tail -n 1 | xargs -r basename)," \
		"GRASS $(grass --version 2>&1 | sed -n 's/^GRASS GIS //p' | head -n 1)," \
		"mapshaper $(${MAPSHAPER:-mapshaper} -v 2>/dev/null)," \
		"spatialite CLI $(spatialite -version 2>/dev/null | head -n 1 | cut -d' ' -f1)"
	echo "- Run took $((ELAPSED / 60)) min $((ELAPSED % 60)) s; load average $LOAD_START at the start, $LOAD_END at the end (other jobs share the machine)"
	echo "- $BENCH_RUNS runs of each wangge command (median wall time, largest peak RSS), $BENCH_PEER_RUNS of each peer; ratio = peer time / wangge time"
	echo
	echo "| case | size | wangge s | MiB | peer | peer s | MiB | ratio | agree |"
	echo "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |"
	awk -F'\t' '{ k = $1 "\t" $2
		if (k == last) { $1 = $2 = $3 = $4 = "" }
		last = k
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' \
		"$RES/rows.tsv"
	if [ -s "$RES/scale.tsv" ]; then
		echo
		echo "### Scaling: time against input size"
		echo
		echo "| case | size | wangge s | MiB | s per 10^6 | plain OGR read s |"
		echo "| --- | ---: | ---: | ---: | ---: | ---: |"
		awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$RES/scale.tsv"
	fi
}
