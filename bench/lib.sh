# bench/lib.sh: helpers shared by bench/run and bench/cases/*.sh (bash).
#
# measure RUNS LOG CMD...   runs CMD RUNS times; sets T (median wall seconds),
#                           R (largest peak RSS in MiB) and ST ("ok", "failed",
#                           "timeout"). BENCH_PRE (a shell string) runs untimed
#                           before every run; OK_CODES lists the exit codes
#                           that count as success (default 0).
# wangge CASE SIZE TOOL LOG CMD...   measures our tool and starts a row.
# peer NAME LOG CMD...      measures a peer (BENCH_PEER_RUNS runs) and adds it
#                           to the row; AGREE is then set by the case.
# skip NAME WHY             adds a skipped peer to the row, with the reason.
# Rows go to $RES/rows.tsv and, as they complete, to standard output.

BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_PEER_RUNS=${BENCH_PEER_RUNS:-1}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-600}

say() { printf '%s\n' "$*" >&2; }

# Median of numbers on standard input.
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

measure() {
	local runs=$1 log=$2 i t0 t1 code rss times="" ok=" ${OK_CODES:-0} "
	shift 2
	T="" R=0 ST=ok
	: >"$log"
	for ((i = 0; i < runs; i++)); do
		[ -n "${BENCH_PRE:-}" ] && bash -c "$BENCH_PRE" >>"$log" 2>&1
		echo "+ $*" >>"$log"
		t0=$(date +%s%N)
		# In the background and waited for, so that an interrupt reaches
		# bench/run's trap at once, which stops the run (timeout puts it in
		# a process group of its own, out of reach of the terminal's ^C).
		timeout "$BENCH_TIMEOUT" /usr/bin/time -f '%M' -o "$RES/rss" "$@" >>"$log" 2>&1 </dev/null &
		CUR_PID=$!
		wait "$CUR_PID"
		code=$?
		CUR_PID=""
		t1=$(date +%s%N)
		if [ "$code" = 124 ]; then
			ST=timeout
			return 1
		fi
		if [[ $ok != *" $code "* ]]; then
			echo "exit $code" >>"$log"
			ST=failed
			return 1
		fi
		times="$times $(((t1 - t0) / 1000000))"
		rss=$(tail -n 1 "$RES/rss")
		[ "$rss" -gt "$R" ] 2>/dev/null && R=$rss
	done
	T=$(printf '%s\n' $times | median | awk '{ printf "%.3f", $1 / 1000 }')
	R=$((R / 1024))
}

# Row state: the case and size being measured and wangge's time.
ROW_CASE="" ROW_SIZE="" ROW_T="" ROW_R="" ROW_FIRST=1

row_print() { # case size wangge_s wangge_mib peer peer_s peer_mib ratio agree
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RES/rows.tsv"
	if [ "$ROW_FIRST" = 1 ]; then
		printf '%-16s %-14s %8s %6s | %-22s %9s %6s %7s  %s\n' "$@"
		ROW_FIRST=0
	else
		printf '%-16s %-14s %8s %6s | %-22s %9s %6s %7s  %s\n' "" "" "" "" "${@:5}"
	fi
}

row_start() { ROW_CASE=$1 ROW_SIZE=$2 ROW_T=$3 ROW_R=$4 ROW_FIRST=1; }

# wangge CASE SIZE TOOL LOG CMD...: measures our tool; prints the row's start
# when it has no peers (peers print it otherwise). Returns 1 when it failed.
wangge() {
	local c=$1 s=$2 tool=$3 log=$4
	shift 4
	if [ ! -x "$BIN/$tool" ]; then
		row_start "$c" "$s" "-" "-"
		row_print "$c" "$s" "-" "-" "$tool" "-" "-" "-" "skipped: $tool not built yet"
		return 1
	fi
	measure "$BENCH_RUNS" "$log" "$@"
	if [ "$ST" != ok ]; then
		row_start "$c" "$s" "$ST" "-"
		row_print "$c" "$s" "$ST" "-" "$tool" "-" "-" "-" "$tool $ST, see ${log#"$ROOT"/}"
		return 1
	fi
	row_start "$c" "$s" "$T" "$R"
}

# peer NAME LOG CMD...: measures a peer; the caller then calls peer_row with
# the agreement it computed (peer_row reads PT, PR, PST).
peer() {
	local log=$2
	shift 2
	measure "$BENCH_PEER_RUNS" "$log" "$@"
	PT=$T PR=$R PST=$ST
	[ "$PST" = ok ]
}

peer_row() { # NAME AGREE
	local ratio="-" agree=$2
	if [ "$PST" != ok ]; then
		agree="$PST, see ${LAST_LOG#"$ROOT"/}"
		PT="-" PR="-"
	elif [[ $ROW_T =~ ^[0-9.]+$ ]] && awk -v t="$ROW_T" 'BEGIN { exit !(t > 0) }'; then
		ratio=$(awk -v p="$PT" -v w="$ROW_T" 'BEGIN { printf "%.1fx", p / w }')
	fi
	row_print "$ROW_CASE" "$ROW_SIZE" "$ROW_T" "$ROW_R" "$1" "$PT" "$PR" "$ratio" "$agree"
}

# A row entry without a ratio (a load time, a reference floor).
note_row() { # NAME SECONDS MIB NOTE
	row_print "$ROW_CASE" "$ROW_SIZE" "$ROW_T" "$ROW_R" "$1" "$2" "$3" "-" "$4"
}

skip() { # NAME WHY
	row_print "$ROW_CASE" "$ROW_SIZE" "$ROW_T" "$ROW_R" "$1" "-" "-" "-" "skipped: $2"
}

# run_peer NAME LOG CMD...: peer + peer_row; AGREE_FN (a command) prints the
# agreement after the run, untimed; PEER_MEM replaces the measured memory.
run_peer() {
	local name=$1
	LAST_LOG=$2
	if peer "$@"; then
		# A client/server peer's memory is the server's, which we do not see.
		[ -n "${PEER_MEM:-}" ] && PR=$PEER_MEM
		peer_row "$name" "$($AGREE_FN)"
	else
		peer_row "$name" ""
	fi
}

# Human-readable sizes: 1e6 -> 1000000 and back.
num() { awk -v n="$1" 'BEGIN { printf "%d", n }'; }
sci() { awk -v n="$1" 'BEGIN { if (n <= 0) { print n; exit }
	e = int(log(n) / log(10) + 1e-9); m = n / 10 ^ e; if (m == 1) printf "10^%d", e; else printf "%d", n }'; }

# ---- peers: availability, each checked once, with the reason when absent ----

declare -A PEER_WHY

# have NAME: true when the peer can run; otherwise PEER_WHY[NAME] says why.
have() {
	if [ -z "${PEER_WHY[$1]+x}" ]; then
		PEER_WHY[$1]=""
		"probe_$1" || true
	fi
	[ -z "${PEER_WHY[$1]}" ]
}

probe_ogr2ogr() { command -v ogr2ogr >/dev/null || PEER_WHY[ogr2ogr]="ogr2ogr not installed (make bench-deps)"; }
probe_spatialite() { command -v spatialite >/dev/null || PEER_WHY[spatialite]="spatialite not installed (make bench-deps)"; }
probe_qgis() {
	if [ ! -x /usr/bin/qgis_process.bin ]; then
		PEER_WHY[qgis]="/usr/bin/qgis_process.bin not installed (make bench-deps)"
	elif ! "${QGIS[@]}" --version >"$RES/logs/qgis-probe.log" 2>&1; then
		PEER_WHY[qgis]="qgis_process.bin does not start, see results/logs/qgis-probe.log"
	fi
}
probe_grass() {
	if ! command -v grass >/dev/null; then
		PEER_WHY[grass]="grass not installed (make bench-deps)"
	elif ! grass --tmp-location EPSG:4548 --exec g.version >"$RES/logs/grass-probe.log" 2>&1; then
		PEER_WHY[grass]="grass does not start, see results/logs/grass-probe.log"
	fi
}
probe_mapshaper() {
	MAPSHAPER=$ROOT/bench/node/node_modules/.bin/mapshaper
	if [ ! -x "$MAPSHAPER" ]; then
		MAPSHAPER=$(command -v mapshaper || true)
		[ -n "$MAPSHAPER" ] || PEER_WHY[mapshaper]="mapshaper not installed (make bench-deps installs it with npm)"
	fi
}
probe_postgis() { pg_start || true; }

# qgis_process headless. Debian's /usr/bin/qgis_process wrapper passes
# --noversioncheck, which QGIS 3.22 rejects, so call the binary.
QGIS=(env QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$RES/xdg" /usr/bin/qgis_process.bin)

# ---- PostGIS: a private cluster on a unix socket in a temporary folder ----

PG_DIR="" PG_AS=()

pg_start() {
	local bindir
	bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
		PEER_WHY[postgis]="PostgreSQL not installed (make bench-deps)"
		return 1
	fi
	if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
		PEER_WHY[postgis]="PostGIS extension not installed (make bench-deps)"
		return 1
	fi
	PG_DIR=$(mktemp -d /tmp/wangge-bench-pg.XXXXXX)
	# initdb refuses to run as root: run the server as the postgres user.
	if [ "$(id -u)" = 0 ]; then
		if ! id postgres >/dev/null 2>&1; then
			PEER_WHY[postgis]="running as root and no postgres user to run the server as"
			return 1
		fi
		chown postgres "$PG_DIR"
		PG_AS=(runuser -u postgres --)
	fi
	PG_PORT=$((50000 + $$ % 10000))
	if ! "${PG_AS[@]}" "$bindir/initdb" -D "$PG_DIR/data" -U bench -A trust -E UTF8 --locale=C \
		>"$RES/logs/postgis-initdb.log" 2>&1 ||
		! "${PG_AS[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
			-o "-p $PG_PORT -k $PG_DIR -c listen_addresses='' -c fsync=off -c max_wal_size=4GB" \
			start >"$RES/logs/postgis-start.log" 2>&1; then
		PEER_WHY[postgis]="private PostgreSQL cluster did not start, see results/logs/postgis-*.log"
		cp "$PG_DIR/server.log" "$RES/logs/postgis-server.log" 2>/dev/null
		return 1
	fi
	PG_BIN=$bindir
	PG_CONN="host=$PG_DIR port=$PG_PORT user=bench dbname=postgres"
	if ! psql "$PG_CONN" -qAt -c 'CREATE EXTENSION postgis' >"$RES/logs/postgis-ext.log" 2>&1; then
		PEER_WHY[postgis]="CREATE EXTENSION postgis failed, see results/logs/postgis-ext.log"
		return 1
	fi
}

pg_stop() {
	[ -n "$PG_DIR" ] || return 0
	[ -n "${PG_BIN:-}" ] && "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$PG_DIR"
	PG_DIR=""
}

# pg_load PATH:LAYER TABLE [OGR2OGR_ARGS...]: loads a layer with ogr2ogr
# unless already loaded this run; sets LT (load seconds, 0 when it was loaded
# before) and LR.
declare -A PG_LOADED
pg_load() {
	local src=$1 table=$2
	shift 2
	if [ "${PG_LOADED[$table]:-}" = "$src" ]; then
		LT=0 LR=0
		return 0
	fi
	measure 1 "$RES/logs/postgis-load-$table.log" ogr2ogr -overwrite -f PostgreSQL "PG:$PG_CONN" \
		"$(file_of "$src")" "$(layer_of "$src")" \
		-nln "$table" -lco GEOMETRY_NAME=geom -lco FID=fid -lco SPATIAL_INDEX=GIST \
		--config PG_USE_COPY YES "$@" || return 1
	psql "$PG_CONN" -qAt -c "ANALYZE $table" >/dev/null 2>&1
	PG_LOADED[$table]=$src
	LT=$T LR=$R
}

# ---- data: generated with the data engineer's synth, cached by seed/size ----

BENCH_SEED=${BENCH_SEED:-1}

# synth_tiling K P [FLAGS...]: echoes the folder holding grids, town, points
# and truth.json for K grids and P points, generating it when absent.
synth_tiling() {
	local k=$1 p=$2
	shift 2
	local tag dir
	tag=$(printf '%s' "$*" | tr -d ' -')
	dir=$DATA/tiling-g$k-p$p${tag:+-$tag}-s$BENCH_SEED
	if [ ! -e "$dir/.done" ] || [ ! -s "$dir/grids.gpkg" ]; then
		rm -rf "$dir"
		say "bench: generating $k grids, $(sci "$p") points${*:+ $*} (seed $BENCH_SEED) into ${dir#"$ROOT"/}" \
			"(delete bench/results/data to regenerate after synth changes)"
		if ! "$SYNTH" tiling --grids "$k" --points "$p" --seed "$BENCH_SEED" "$@" -o "$dir" \
			>"$RES/logs/synth-$(basename "$dir").log" 2>&1; then
			say "bench: synth failed, see results/logs/synth-$(basename "$dir").log"
			return 1
		fi
		touch "$dir/.done"
	fi
	echo "$dir"
}

# synth_file DIR KIND: where synth tiling put a kind of data (docs/synth.md),
# as PATH:LAYER: grids (the secondaries), primary, town, points, defects
# (the secondaries with injected defects), defects-primary, defects-town,
# truth (truth.json).
synth_file() {
	case $2 in
	truth) echo "$1/truth.json" ;;
	defects) echo "$1/defects.gpkg:secondary" ;;
	defects-*) echo "$1/defects.gpkg:${2#defects-}" ;;
	grids) echo "$1/grids.gpkg:secondary" ;;
	*) echo "$1/grids.gpkg:$2" ;;
	esac
}

# The file and the layer of a PATH:LAYER name, and the name QGIS uses.
file_of() { echo "${1%:*}"; }
layer_of() { echo "${1##*:}"; }
qgis_name() { echo "${1%:*}|layername=${1##*:}"; }
