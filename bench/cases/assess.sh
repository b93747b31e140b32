# bench/cases/assess.sh: grid-assess on the sample town (issue 16): the
# year-end ranking of 131 grids over a year of ledgers (13,000 households,
# 562,010 visits, 1,240 hazards, 950 cases, 330 ponds and ditches) and one
# month, with the XLSX tables and the PDF report. The floor the issue sets:
# the year under 5 s.
#
# Peer: the heaviest figure alone (households visited in every ISO week of
# the year, per grid) in one SQL statement through OGR's SQLite dialect,
# households placed by ST_Within (a join without an index: 1.7 million
# tests); agreement: the per-grid counts equal.

# weekly_sql: grid_id, visited_weekly for 2021's 52 ISO weeks (Monday
# 2021-01-04 to Sunday 2022-01-02).
weekly_sql() {
	cat <<'SQL'
SELECT g.grid_id AS grid_id, COUNT(h.hh_id) AS n FROM secondary g LEFT JOIN households h
  ON ST_Within(h.geom, g.geom) AND h.hh_id IN (SELECT hh_id FROM visits
  WHERE date BETWEEN '2021-01-04' AND '2022-01-02' GROUP BY hh_id
  HAVING COUNT(DISTINCT CAST((julianday(date) - julianday('2021-01-04')) / 7 AS INTEGER)) = 52)
  GROUP BY g.grid_id ORDER BY g.grid_id
SQL
}

case_assess() {
	local t=$ROOT/data/samples/xiawuqi.gpkg d=$WORK/assess
	mkdir -p "$d"
	for p in "--year 2021" "--month 2021-09"; do
		local size=${p#--}
		size=${size/ /=}
		wangge assess "$size" grid-assess "$RES/logs/assess-${size}.log" \
			grid-assess -q $p "$t" -o "$d/a.xlsx" --report "$d/a.pdf" --overwrite || continue
		if [ "$size" = year=2021 ]; then
			grid-assess -q --year 2021 --json "$t" |
				jq -r '.rows[] | [.grid_id, .now.visited_weekly] | @csv' | tr -d '"' | sort >"$d/ours.csv"
			AGREE_FN=assess_agree run_peer "ogr SQLite: weekly" "$RES/logs/assess-sql.log" \
				sh -c "ogr2ogr -f CSV $d/sql.csv $t -dialect SQLite -sql \"\$0\" -lco SEPARATOR=COMMA -overwrite" "$(weekly_sql)"
		fi
		note_row "floor (issue 16)" 5 - "the year-end ranking under 5 s"
	done
}

assess_agree() {
	local d=$WORK/assess
	tail -n +2 "$d/sql.csv" | tr -d '"' | sort | cmp -s - "$d/ours.csv" &&
		echo "yes ($(wc -l <"$d/ours.csv") grids)" || echo "no: per-grid counts differ"
}
