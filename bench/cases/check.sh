# bench/cases/check.sh: grid-check against the ways a user looks for gaps,
# overlaps and spill (issue 4), on synth tilings of 131 and 10,000 grids,
# clean and with injected defects (truth.json says where).
#
# Peers: PostGIS (ST_MakeValid first, since one bow-tie makes the overlay
# queries fail; then a self-join on ST_Intersects with ST_Area of the
# intersection, ST_Difference of the town and ST_Union of the grids, and the
# reverse for spill; load reported apart); QGIS (a chain of qgis_process
# runs: check validity, fix geometries, self-intersection, dissolve,
# difference both ways; each run pays QGIS's start-up); mapshaper -mosaic
# (overlaps) and -dissolve/-erase (gaps, spill).
# Agreement: each truth defect matched to a reported problem of the same
# kind near it; "yes (9 of 9, 0 extra)". The peers' pieces under 0.01 m²
# are ignored as numerical dust (a sliver defect can be 0.5 m²).

# problems_tsv: reads "type x y area" lines on standard input; normalises
# the type names the peers and the truth use.
norm_types() {
	awk -F'\t' -v OFS='\t' '{ t = tolower($1)
		if (t ~ /spill|outside_town|^outside$/) t = "outside"
		else if (t ~ /bow|self|invalid/) t = "invalid"
		else if (t ~ /dup/) t = "duplicate_id"
		else if (t ~ /nest|parent/) t = "not_nested"
		$1 = t; print }'
}

# truth_tsv TRUTH.json: the injected defects as "type x y area grids".
truth_tsv() {
	jq -r '.defects[] | [.type, .x, .y, (.area_m2 // 0), ((.grids // []) | join(" "))] | @tsv' \
		"$1" 2>/dev/null | norm_types
}

# ours_tsv REPORT.json: grid-check's problems.
ours_tsv() {
	jq -r '.problems[]? | [.type, (.x // 0), (.y // 0), (.area_m2 // 0), ((.grids // []) | join(" "))] | @tsv' \
		"$1" 2>/dev/null | norm_types
}

# match_defects TRUTH.tsv FOUND.tsv: how many truth defects were found, and
# how many found problems match none. A found problem matches a defect of
# the same type (a gap may stand for a sliver) lying within max(25 m,
# 2 sqrt(area)) of it, naming one of its grids, or of the same area nearby.
match_defects() {
	awk -F'\t' '
	FILENAME == ARGV[1] { tt[++nt] = $1; tx[nt] = $2; ty[nt] = $3; ta[nt] = $4; tg[nt] = " " $5 " "; next }
	{ ft[++nf] = $1; fx[nf] = $2; fy[nf] = $3; fa[nf] = $4; fgs[nf] = $5 }
	function shares(i, j,   n, k, g) {
		n = split(fgs[j], g, " ")
		for (k = 1; k <= n; k++) if (index(tg[i], " " g[k] " ")) return 1
		return 0
	}
	END {
		for (i = 1; i <= nt; i++) {
			lim = 2 * sqrt(ta[i] + 0); if (lim < 25) lim = 25
			best = 0
			for (j = 1; j <= nf; j++) {
				if (used[j] || (ft[j] != tt[i] && !(tt[i] == "sliver" && ft[j] == "gap"))) continue
				d = sqrt((fx[j] - tx[i]) ^ 2 + (fy[j] - ty[i]) ^ 2)
				# A sliver is long: its centre and a point inside it can be
				# far apart, so an equal area (within 1%) nearby also counts.
				if (d > lim && (shares(i, j) || (ta[i] > 0 && d < 1000 &&
					fa[j] > 0.99 * ta[i] && fa[j] < 1.01 * ta[i]))) d = lim
				if (d <= lim && (!best || d < bd)) { best = j; bd = d }
			}
			if (best) { used[best] = 1; found++ } else miss = miss " " tt[i]
		}
		for (j = 1; j <= nf; j++) if (!used[j]) extra++
		ok = (found == nt && !extra)
		if (nt == 0) printf "%s (%d problems reported)", ok ? "yes" : "no", extra + 0
		else printf "%s (%d of %d, %d extra%s)", ok ? "yes" : "no", found, nt, extra, miss ? "; missed" miss : ""
	}' "$1" "$2"
}

# pieces_tsv TYPE FILE [WHERE]: each polygon part of a layer of at least
# 0.01 m², as "type x y area" (x, y a point inside it).
pieces_tsv() {
	local tmp=$WORK/check/pieces.gpkg GL GC
	[ -s "$2" ] || return 0
	rm -f "$tmp"
	ogr2ogr -explodecollections -unsetFid -nlt POLYGON -nln p ${3:+-where "$3"} "$tmp" "$2" 2>/dev/null || return 0
	ogr2ogr -f CSV /vsistdout/ "$tmp" -dialect SQLite -sql "SELECT '$1' AS t,
		ST_X(ST_PointOnSurface(geom)) AS x, ST_Y(ST_PointOnSurface(geom)) AS y, ST_Area(geom) AS a
		FROM p WHERE ST_Area(geom) >= 0.01" 2>/dev/null | tail -n +2 | tr -d '"' | tr , '\t'
}

pg_check_sql() {
	cat <<'EOF'
\pset format unaligned
\pset fieldsep '\t'
\pset tuples_only on
CREATE TEMP TABLE g AS SELECT fid, grid_id, parent_id, ST_MakeValid(geom) AS geom FROM grids;
CREATE INDEX ON g USING gist (geom);
CREATE TEMP TABLE u AS SELECT ST_Union(geom) AS geom FROM g;
SELECT 'invalid', ST_X(p), ST_Y(p), 0, grid_id FROM (SELECT grid_id, ST_PointOnSurface(ST_MakeValid(geom)) AS p
	FROM grids WHERE NOT ST_IsValid(geom)) s;
SELECT 'duplicate_id', ST_X(ST_PointOnSurface(ST_Collect(geom))), ST_Y(ST_PointOnSurface(ST_Collect(geom))), 0, grid_id
	FROM g GROUP BY grid_id HAVING count(*) > 1;
SELECT 'overlap', ST_X(ST_PointOnSurface(i)), ST_Y(ST_PointOnSurface(i)), ST_Area(i), a || ' ' || b
	FROM (SELECT a.grid_id AS a, b.grid_id AS b,
		(ST_Dump(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3))).geom AS i
	FROM g a JOIN g b ON a.fid < b.fid AND ST_Intersects(a.geom, b.geom)) s WHERE ST_Area(i) >= 0.01;
SELECT 'gap', ST_X(ST_PointOnSurface(d)), ST_Y(ST_PointOnSurface(d)), ST_Area(d), ''
	FROM (SELECT (ST_Dump(ST_Difference(t.geom, u.geom))).geom AS d FROM town t, u) s WHERE ST_Area(d) >= 0.01;
SELECT 'outside', ST_X(ST_PointOnSurface(d)), ST_Y(ST_PointOnSurface(d)), ST_Area(d), ''
	FROM (SELECT (ST_Dump(ST_Difference(u.geom, t.geom))).geom AS d FROM town t, u) s WHERE ST_Area(d) >= 0.01;
SELECT 'not_nested', ST_X(ST_PointOnSurface(d)), ST_Y(ST_PointOnSurface(d)), ST_Area(d), grid_id
	FROM (SELECT s.grid_id, (ST_Dump(ST_Difference(ST_Intersection(s.geom, t.geom), ST_MakeValid(p.geom)))).geom AS d
	FROM g s JOIN parents p ON p.grid_id = s.parent_id, town t) x WHERE ST_Area(d) >= 0.01;
EOF
}

qgis_chain() { # GRIDS TOWN DIR (QGIS layer names): the QGIS steps as one shell script
	local q="${QGIS[*]} run"
	cat <<EOF
set -e
$q qgis:checkvalidity -- INPUT_LAYER='$1' METHOD=2 INVALID_OUTPUT='$3/q-invalid.gpkg' ERROR_OUTPUT='$3/q-errors.gpkg' VALID_OUTPUT='$3/q-valid.gpkg'
$q native:fixgeometries -- INPUT='$1' OUTPUT='$3/q-fixed.gpkg'
$q native:intersection -- INPUT='$3/q-fixed.gpkg' OVERLAY='$3/q-fixed.gpkg' INPUT_FIELDS=grid_id OVERLAY_FIELDS=grid_id OVERLAY_FIELDS_PREFIX=b_ OUTPUT='$3/q-inter.gpkg'
$q native:dissolve -- INPUT='$3/q-fixed.gpkg' OUTPUT='$3/q-dissolved.gpkg'
$q native:difference -- INPUT='$2' OVERLAY='$3/q-dissolved.gpkg' OUTPUT='$3/q-gaps.gpkg'
$q native:difference -- INPUT='$3/q-dissolved.gpkg' OVERLAY='$2' OUTPUT='$3/q-spill.gpkg'
EOF
}

agree_qgis_check() {
	local w=$WORK/check
	{
		pieces_tsv overlap "$w/q-inter.gpkg" "grid_id < b_grid_id"
		pieces_tsv gap "$w/q-gaps.gpkg"
		pieces_tsv outside "$w/q-spill.gpkg"
	} >"$w/peer.tsv"
	# QGIS reports a validity error as a point (with its message only).
	if [ -s "$w/q-errors.gpkg" ]; then
		ogr2ogr -f CSV /vsistdout/ "$w/q-errors.gpkg" -dialect SQLite \
			-sql "SELECT 'invalid', ST_X(geom), ST_Y(geom), 0, '' FROM \"$(sqlite3 "$w/q-errors.gpkg" 'SELECT table_name FROM gpkg_contents LIMIT 1')\"" \
			2>/dev/null | tail -n +2 | tr -d '"' | tr , '\t' >>"$w/peer.tsv"
	fi
	match_defects "$w/truth.tsv" "$w/peer.tsv"
}

agree_mapshaper_check() {
	local w=$WORK/check
	{
		pieces_tsv overlap "$w/m/overlaps.json"
		pieces_tsv gap "$w/m/gaps.json"
		pieces_tsv outside "$w/m/spill.json"
	} >"$w/peer.tsv"
	match_defects "$w/truth.tsv" "$w/peer.tsv"
}

check_one() { # GRIDS TOWN PARENTS TRUTH SIZE (PATH:LAYER names)
	local grids=$1 town=$2 parents=$3 truth=$4 size=$5 w=$WORK/check lt lr lt2
	mkdir -p "$w"
	if [ -n "$truth" ]; then truth_tsv "$truth" >"$w/truth.tsv"; else : >"$w/truth.tsv"; fi
	OK_CODES="0 1" wangge check "$size" grid-check "$RES/logs/check-$size.log" \
		bash -c "grid-check --json --boundary '$town' --parents '$parents' '$grids' >'$w/ours.json'" || return
	ours_tsv "$w/ours.json" >"$w/ours.tsv"
	note_row "grid-check vs truth" "$ROW_T" "$ROW_R" "$(match_defects "$w/truth.tsv" "$w/ours.tsv")"

	if have postgis; then
		if pg_load "$grids" grids -nlt PROMOTE_TO_MULTI && { lt=$LT lr=$LR; pg_load "$town" town; } &&
			{ lt2=$LT; pg_load "$parents" parents -nlt PROMOTE_TO_MULTI; }; then
			note_row "PostGIS load (ogr2ogr)" "$(awk -v a="$lt" -v b="$lt2" -v c="$LT" 'BEGIN { printf "%.3f", a + b + c }')" \
				"$lr" "grids, town, primaries"
			pg_check_sql >"$w/check.sql"
			PEER_MEM=server AGREE_FN="match_defects $w/truth.tsv $w/peer.tsv" \
				run_peer "PostGIS queries" "$RES/logs/check-postgis-$size.log" \
				psql "$PG_CONN" -q -v ON_ERROR_STOP=1 -f "$w/check.sql" -o "$w/peer.tsv"
		else skip "PostGIS" "load failed, see results/logs/postgis-load-*.log"; fi
	else skip "PostGIS" "${PEER_WHY[postgis]}"; fi

	if have qgis; then
		qgis_chain "$(qgis_name "$grids")" "$(qgis_name "$town")" "$w" >"$w/qgis-chain.sh"
		BENCH_PRE="rm -f $w/q-*.gpkg" AGREE_FN=agree_qgis_check \
			run_peer "QGIS (6 qgis_process runs)" "$RES/logs/check-qgis-$size.log" bash "$w/qgis-chain.sh"
		rm -f "$w"/q-*.gpkg
	else skip "QGIS" "${PEER_WHY[qgis]}"; fi

	if have mapshaper; then
		# GeoJSON input (converted untimed): mapshaper 0.7's GeoPackage
		# reader drops invalid features instead of reading them.
		rm -rf "$w/m" && mkdir -p "$w/m"
		ogr2ogr -f GeoJSON "$w/m/grids.json" "$(file_of "$grids")" "$(layer_of "$grids")"
		ogr2ogr -f GeoJSON "$w/m/town.json" "$(file_of "$town")" "$(layer_of "$town")"
		BENCH_PRE="rm -f $w/m/overlaps.json $w/m/gaps.json $w/m/spill.json" AGREE_FN=agree_mapshaper_check \
			run_peer "mapshaper -mosaic" "$RES/logs/check-mapshaper-$size.log" bash -c "
			'$MAPSHAPER' -i '$w/m/grids.json' -mosaic calc='n=count()' -filter 'n > 1' -explode \
				-o '$w/m/overlaps.json' -quiet &&
			'$MAPSHAPER' -i '$w/m/grids.json' '$w/m/town.json' combine-files -dissolve target=grids + name=d \
				-erase target=town source=d + name=gaps -erase target=d source=town + name=spill \
				-target gaps,spill -explode -o '$w/m/' format=geojson geojson-type=FeatureCollection -quiet"
	else skip "mapshaper" "${PEER_WHY[mapshaper]}"; fi
}

case_check() {
	local k dir town
	if [ ! -x "$BIN/grid-check" ]; then
		row_start check "-" "-" "-"
		row_print check "-" "-" "-" grid-check "-" "-" "-" "skipped: grid-check not built yet"
		return
	fi
	for k in $CHECK_GRIDS; do
		dir=$(synth_tiling "$k" 0 --unmatched --defects) || continue
		check_one "$(synth_file "$dir" grids)" "$(synth_file "$dir" town)" "$(synth_file "$dir" primary)" \
			"" "${k}-clean"
		check_one "$(synth_file "$dir" defects)" "$(synth_file "$dir" defects-town)" \
			"$(synth_file "$dir" defects-primary)" "$(synth_file "$dir" truth)" "${k}-defects"
	done
}
