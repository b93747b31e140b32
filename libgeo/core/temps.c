/*
** temps.c: the temporary folders a run writes its outputs in, and the
** SQLite connections it holds a write transaction on. Each folder is named
** .BASE.wangge-tmp.PID.HOST.XXXXXX (BASE's dots made '_'): the marker, the process and the machine
** say whose it is, so a later run can remove the folders of a run that was
** killed (its process is gone) and never touch those of a live one. While
** a folder exists, and while a connection is in a write transaction on a
** file written in place, it is registered in the geo_temps registry
** attached to the context, which a signal handler uses with async-signal-
** safe calls only: the slots hold paths and connections in place (nothing
** is allocated or freed while they are live) and change state atomically,
** so the handler reads a slot either whole or not at all. The handler
** removes the folders outright; a transaction it interrupts
** (sqlite3_interrupt, as SQLite's own shell does on Ctrl-C) so that the run
** rolls it back itself: killed in the middle of one, it would leave a hot
** journal that read-only readers cannot open until something rolls it back.
*/
#include "core/geo_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Folders one process can have registered at once; a run makes a handful. */
#define TEMPS_SLOTS 32
/* Connections with a write transaction in place; a run holds one or two. */
#define TEMPS_DBS 16
#define TEMPS_PATH 4096
#define MARKER ".wangge-tmp."
/* Bytes of the output's name kept in its folder's name (NAME_MAX is 255). */
#define BASE_KEEP 64
#define HOST_KEEP 32

#if ATOMIC_INT_LOCK_FREE != 2
#error "the registry needs lock-free atomic int for its signal handler"
#endif

/* A slot is FREE, being FILLED by the run, LIVE (the handler may use it),
** or being REMOVED (a folder) or USED (a connection) by the handler. */
enum { FREE, FILLING, LIVE, REMOVING, USING };

struct geo_temps {
	atomic_int stopping;    /* a signal asked the run to stop */
	struct {
		atomic_int state;
		char path[TEMPS_PATH];
	} slot[TEMPS_SLOTS];
	struct {
		atomic_int state;
		sqlite3 *db;
	} conn[TEMPS_DBS];
};

geo_temps *geo_temps_new(void)
{
	geo_temps *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	atomic_init(&t->stopping, 0);
	for (int i = 0; i < TEMPS_SLOTS; i++)
		atomic_init(&t->slot[i].state, FREE);
	for (int i = 0; i < TEMPS_DBS; i++)
		atomic_init(&t->conn[i].state, FREE);
	return t;
}

void geo_temps_free(geo_temps *t)
{
	free(t);
}

/* Folders inside a temporary folder removed with it (GDAL's CSV and
** Shapefile drivers make one for an output named without an extension). */
#define NESTED_DEPTH 4

/*
** Removes the folder name in dirfd (AT_FDCWD: a path), its files and its
** folders, with system calls only (no allocation, no stdio), so that a
** signal handler may call it. Unlinking while reading a folder can make the
** reading skip names, so it reads the folder again until a pass finds
** nothing to remove.
*/
static void remove_tree(int dirfd, const char *name, int depth)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		char buf[2048] __attribute__((aligned(8)));
		for (int pass = 0, removed = 1; removed && pass < 8; pass++) {
			removed = 0;
			if (lseek(fd, 0, SEEK_SET) != 0)
				break;
			ssize_t n;
			while ((n = getdents64(fd, buf, sizeof buf)) > 0) {
				for (ssize_t at = 0; at < n;) {
					struct dirent64 *d = (struct dirent64 *)(buf + at);
					at += d->d_reclen;
					const char *s = d->d_name;
					if (s[0] == '.' && (!s[1] || (s[1] == '.' && !s[2])))
						continue;
					if ((d->d_type == DT_DIR || d->d_type == DT_UNKNOWN) && depth < NESTED_DEPTH)
						remove_tree(fd, s, depth + 1);
					if (unlinkat(fd, s, 0) == 0 ||
					    unlinkat(fd, s, AT_REMOVEDIR) == 0)
						removed = 1;
				}
			}
		}
		close(fd);
	}
	if (depth > 0)
		unlinkat(dirfd, name, AT_REMOVEDIR);
	else
		rmdir(name);
}

static void remove_folder(const char *path)
{
	remove_tree(AT_FDCWD, path, 0);
}

void geo_temps_remove(geo_temps *t)
{
	if (!t)
		return;
	for (int i = 0; i < TEMPS_SLOTS; i++) {
		int live = LIVE;
		if (atomic_compare_exchange_strong(&t->slot[i].state, &live, REMOVING))
			remove_folder(t->slot[i].path);
	}
}

int geo_temps_interrupt(geo_temps *t)
{
	if (!t)
		return 0;
	atomic_store(&t->stopping, 1);
	int n = 0;
	for (int i = 0; i < TEMPS_DBS; i++) {
		int live = LIVE;
		if (!atomic_compare_exchange_strong(&t->conn[i].state, &live, USING))
			continue;
		sqlite3_interrupt(t->conn[i].db);
		atomic_store(&t->conn[i].state, LIVE);
		n++;
	}
	return n;
}

int geo_temps_stopping(const geo_temps *t)
{
	return t && atomic_load(&((geo_temps *)t)->stopping);
}

/* Here rather than in ctx.c, which would then call this module: every step
** of progress is where a run notices the signal that stops it. */
int geo_progress_step(geo_ctx *ctx, geo_progress fn, void *data, double f, const char *msg)
{
	if (geo_temps_stopping(geo_ctx_temps(ctx))) {
		geo_fail(ctx, GEO_ERR_INTERNAL, "interrupted");
		return 0;
	}
	if (!fn || fn(f, msg ? T_(msg) : NULL, data))
		return 1;
	geo_fail(ctx, GEO_ERR_INTERNAL, "cancelled");
	return 0;
}

void geo_temps_add_db(geo_ctx *ctx, sqlite3 *db)
{
	geo_temps *t = geo_ctx_temps(ctx);
	for (int i = 0; t && i < TEMPS_DBS; i++) {
		int free_ = FREE;
		if (atomic_compare_exchange_strong(&t->conn[i].state, &free_, FILLING)) {
			t->conn[i].db = db;
			atomic_store(&t->conn[i].state, LIVE);
			return;
		}
	}
}

void geo_temps_forget_db(geo_ctx *ctx, sqlite3 *db)
{
	geo_temps *t = geo_ctx_temps(ctx);
	for (int i = 0; t && db && i < TEMPS_DBS; i++) {
		if (atomic_load(&t->conn[i].state) < LIVE || t->conn[i].db != db)
			continue;
		/* A handler on another thread may be interrupting it: wait, as
		** the connection must outlive that call. */
		for (int live = LIVE; !atomic_compare_exchange_weak(&t->conn[i].state, &live, FREE);
		     live = LIVE)
			;
		return;
	}
}

/* Registers a folder; returns its slot, or -1 when the registry is full or
** absent (the folder is then still removed by a run that ends normally). */
static int temps_add(geo_temps *t, const char *path)
{
	if (!t || strlen(path) >= TEMPS_PATH)
		return -1;
	for (int i = 0; i < TEMPS_SLOTS; i++) {
		int free_ = FREE;
		if (atomic_compare_exchange_strong(&t->slot[i].state, &free_, FILLING)) {
			memcpy(t->slot[i].path, path, strlen(path) + 1);
			atomic_store(&t->slot[i].state, LIVE);
			return i;
		}
	}
	return -1;
}

static void temps_forget(geo_temps *t, const char *path)
{
	for (int i = 0; t && i < TEMPS_SLOTS; i++) {
		if (atomic_load(&t->slot[i].state) != LIVE || strcmp(t->slot[i].path, path))
			continue;
		/* A handler that has begun removing it ends the process: leave it. */
		int live = LIVE;
		atomic_compare_exchange_strong(&t->slot[i].state, &live, FREE);
		return;
	}
}

/* This machine's name as it goes into folder names: letters, digits and '-'. */
static void host_tag(char *buf, size_t size)
{
	char host[256] = "";
	if (gethostname(host, sizeof host - 1) != 0 || !host[0])
		strcpy(host, "localhost");
	size_t i = 0;
	for (; host[i] && i + 1 < size && i < HOST_KEEP; i++) {
		char c = host[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		buf[i] = ok ? c : '-';
	}
	buf[i] = '\0';
}

/*
** The pid in a temporary folder's name made on this machine, or -1 when the
** name is not one (another machine's, on a shared folder, counts as not one:
** its process cannot be looked up from here).
*/
static long folder_pid(const char *name, const char *host)
{
	const char *m = strstr(name, MARKER), *next;
	while (m && (next = strstr(m + 1, MARKER)))
		m = next;
	if (!m || name[0] != '.')
		return -1;
	char *end;
	errno = 0;
	long pid = strtol(m + strlen(MARKER), &end, 10);
	if (errno || pid <= 0 || *end != '.')
		return -1;
	const char *h = end + 1, *last = strrchr(h, '.');
	if (!last || strlen(last) != 7 || (size_t)(last - h) != strlen(host) ||
	    strncmp(h, host, (size_t)(last - h)))
		return -1;
	return pid;
}

/* Removes the temporary folders in dir left by runs whose process is gone. */
static void sweep(geo_ctx *ctx, const char *dir, const char *host)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		long pid = folder_pid(e->d_name, host);
		if (pid < 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		geo_buf b;
		geo_buf_init(&b);
		geo_buf_printf(&b, "%s/%s", dir, e->d_name);
		struct stat st;
		if (b.s && lstat(b.s, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid()) {
			remove_folder(b.s);
			geo_log(ctx, GEO_LOG_INFO, "removed %s, left by a run that was killed", b.s);
		}
		geo_buf_free(&b);
	}
	if (d)
		closedir(d);
}

/* The first bytes of a name, cut at a character boundary of UTF-8. */
static int kept_bytes(const char *base)
{
	size_t n = strlen(base);
	if (n <= BASE_KEEP)
		return (int)n;
	n = BASE_KEEP;
	while (n > 0 && ((unsigned char)base[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

/*
** The output's name as it goes into its folder's name, dots made '_': GDAL
** takes the first ".xlsx", ".zip" or ".ods" in a path for the archive it
** writes into, so a folder named .h.xlsx.wangge-tmp... made every XLSX
** output fail ("Failure when saving").
*/
static void folder_base(char *buf, const char *base)
{
	int n = kept_bytes(base);
	for (int i = 0; i < n; i++)
		buf[i] = base[i] == '.' ? '_' : base[i];
	buf[n] = '\0';
}

char *geo_tmpdir_new(geo_ctx *ctx, const char *dir, const char *base, const char *label)
{
	char host[HOST_KEEP + 1], name[BASE_KEEP + 1];
	host_tag(host, sizeof host);
	sweep(ctx, dir, host);
	folder_base(name, base);
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b, "%s/.%s" MARKER "%ld.%s.XXXXXX", dir, name, (long)getpid(), host);
	char *tmpl = geo_buf_take(&b);
	if (!tmpl) {
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	/* Signals wait while the folder is made and registered: one arriving
	** in between would leave a folder the handler does not know of. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int made = mkdtemp(tmpl) != NULL, err = errno;
	if (made)
		temps_add(geo_ctx_temps(ctx), tmpl);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!made) {
		geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write in folder %s: %s", label, dir,
			 strerror(err));
		free(tmpl);
		return NULL;
	}
	return tmpl;
}

void geo_tmpdir_remove(geo_ctx *ctx, const char *path)
{
	if (!path)
		return;
	remove_folder(path);
	temps_forget(geo_ctx_temps(ctx), path);
}
