# tests/pg.sh: a private PostgreSQL + PostGIS for one end-to-end case.
# Sourced by a case's cmd (`. "$ROOT/tests/pg.sh"`): makes a cluster in the
# case's scratch folder, starts it on a Unix socket in that folder (no TCP
# port, so cases running at once never meet), creates the database `town`
# with PostGIS, and stops the server and removes the cluster when the case
# ends. Run as root, the server runs as the `postgres` user the Debian
# package makes (initdb refuses root), so the scratch folder is opened to it.
# Sets PG (the connection string, for PG:"$PG"), PGHOST, PGDATABASE, PGUSER
# for psql. A case that sources it has `postgis` in its `needs` file, so
# tests/run skips it with a message where the server is not installed.

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PG_DIR=$PWD/pg
PG_AS=()
[ "$(id -u)" = 0 ] && PG_AS=(runuser -u postgres --)

pg_stop() {
	"${PG_AS[@]}" "$pg_bin/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$PG_DIR"
}

pg_start() {
	mkdir -p "$PG_DIR" || return 1
	if [ "$(id -u)" = 0 ]; then
		chmod o+x "$PWD"
		chown postgres "$PG_DIR"
	fi
	trap pg_stop EXIT
	if ! "${PG_AS[@]}" "$pg_bin/initdb" -D "$PG_DIR/data" -U tester -A trust -E UTF8 --locale=C \
		>"$PG_DIR/initdb.log" 2>&1 ||
		! "${PG_AS[@]}" "$pg_bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
			-o "-k $PG_DIR -c listen_addresses='' -c fsync=off -c full_page_writes=off" \
			start >"$PG_DIR/start.log" 2>&1; then
		echo "pg.sh: the PostgreSQL server did not start:"
		cat "$PG_DIR/initdb.log" "$PG_DIR/start.log" "$PG_DIR/server.log" 2>/dev/null | tail -20
		return 1
	fi
	export PGHOST=$PG_DIR PGUSER=tester PGDATABASE=town
	unset PGPORT PGPASSWORD PGSERVICE
	psql -qX -d postgres -c 'CREATE DATABASE town' >/dev/null &&
		psql -qX -c 'CREATE EXTENSION postgis' >/dev/null || return 1
	PG="host=$PG_DIR dbname=town user=tester"
}

# tests/run sources this with PG_LATER set, to start the server itself.
[ -n "${PG_LATER:-}" ] || pg_start || exit 99
