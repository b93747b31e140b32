/*
** staff.c: who keeps each grid: its name, worker and phone, for the lists
** handed to grid workers (grid-diff's hand-over, grid-list's inspection
** lists). They come from the grid layer's fields and, where a roster names
** a grid's code, from the roster (see geo_diff_staff in geo.h): the grid
** layers of a redraw are often drawn before the workers are assigned, and
** the office keeps the assignment in a spreadsheet.
*/
#include "core/geo_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct staffing {
	geo_ctx *ctx;
	const geo_staff_fields *f;
};

/* Column headers a roster is read by, after the field the caller named. */
static const char *const code_names[] = { "grid_id",  "grid_code", "code", "网格编码",
					  "网格编号", "网格代码",  "编码", NULL };
static const char *const worker_names[] = { "worker",     "grid_worker", "网格员",
					    "网格员姓名", "姓名",        NULL };
static const char *const phone_names[] = { "phone", "tel",    "mobile",   "电话", "联系电话",
					   "手机",  "手机号", "手机号码", NULL };
static const char *const name_names[] = { "grid_name", "name", "网格名称", "网格名", NULL };

/* A header equal to name but for case and surrounding spaces. */
static int header_is(const char *header, const char *name)
{
	while (*header == ' ' || *header == '\t')
		header++;
	size_t n = strlen(name), h = strlen(header);
	while (h > n && (header[h - 1] == ' ' || header[h - 1] == '\t'))
		h--;
	return h == n && !strncasecmp(header, name, n);
}

static int column_named(OGRFeatureDefnH d, const char *name)
{
	for (int f = 0; f < OGR_FD_GetFieldCount(d); f++)
		if (header_is(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, f)), name))
			return f;
	return -1;
}

/* The column the caller named, else the first of the usual names. */
static int find_column(OGRFeatureDefnH d, const char *given, const char *const *names)
{
	int f = given ? column_named(d, given) : -1;
	for (int k = 0; f < 0 && names[k]; k++)
		f = column_named(d, names[k]);
	return f;
}

static void list_names(geo_buf *b, const char *given, const char *const *names)
{
	int n = 0;
	if (given)
		geo_buf_printf(b, "%s", given), n++;
	for (int k = 0; names[k]; k++)
		if (!given || strcmp(given, names[k]))
			geo_buf_printf(b, "%s%s", n++ ? ", " : "", names[k]);
}

/* A copy of s without surrounding spaces. */
static char *trimmed(geo_ctx *ctx, const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	char *t = geo_calloc(ctx, n + 1, 1);
	if (t)
		memcpy(t, s, n);
	return t;
}

static geo_err set(geo_ctx *ctx, char **slot, const char *value)
{
	char *v = trimmed(ctx, value);
	if (!v)
		return GEO_ERR_INTERNAL;
	free(*slot);
	*slot = v;
	return GEO_OK;
}

/* From the grid layer's own fields. */
static geo_err from_layer(struct staffing *sf, const geo_gridset *gs, geo_diff_staff *st)
{
	int w = OGR_FD_GetFieldIndex(gs->defn, sf->f->worker_field);
	int p = sf->f->phone_field ? OGR_FD_GetFieldIndex(gs->defn, sf->f->phone_field) : -1;
	for (size_t i = 0; i < gs->n; i++) {
		OGRFeatureH f = gs->grids[i].feat;
		if (set(sf->ctx, &st[i].name, gs->grids[i].name ? gs->grids[i].name : "") ||
		    set(sf->ctx, &st[i].worker, geo_feat_str(f, w)) ||
		    set(sf->ctx, &st[i].phone, geo_feat_str(f, p)))
			return GEO_ERR_INTERNAL;
	}
	return GEO_OK;
}

/* The first grid of gs (sorted by code) with this code, or gs->n. */
static size_t first_with_code(const geo_gridset *gs, const char *code)
{
	size_t lo = 0, hi = gs->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(gs->grids[mid].id, code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < gs->n && !strcmp(gs->grids[lo].id, code) ? lo : gs->n;
}

struct roster {
	const char *name; /* as the user gave it */
	geo_input *in;
	int code, worker, phone, gname;
	char *seen;     /* per grid: the roster has named it */
	size_t unknown; /* codes that name no grid */
	geo_buf unknown_list;
};

static geo_err open_roster(struct staffing *sf, struct roster *ro)
{
	geo_input_opts io;
	geo_input_opts_init(&io);
	io.as_text = 1;
	if (!(ro->in = geo_input_open(sf->ctx, ro->name, &io)))
		return geo_last_code(sf->ctx);
	OGRFeatureDefnH d = geo_input_defn(ro->in);
	const geo_staff_fields *o = sf->f;
	ro->code = find_column(d, o->id_field, code_names);
	ro->worker = find_column(d, o->worker_field, worker_names);
	ro->phone = find_column(d, o->phone_field, phone_names);
	ro->gname = find_column(d, o->name_field, name_names);
	if (ro->code >= 0 && ro->worker >= 0)
		return GEO_OK;
	geo_buf b;
	geo_buf_init(&b);
	list_names(&b, ro->code < 0 ? o->id_field : o->worker_field,
		   ro->code < 0 ? code_names : worker_names);
	geo_err e = ro->code < 0 ? geo_fail(sf->ctx, GEO_ERR_INPUT,
					    "%s: roster has no column of grid codes (one of %s)",
					    ro->name, b.s ? b.s : "")
				 : geo_fail(sf->ctx, GEO_ERR_INPUT,
					    "%s: roster has no column of grid workers (one of %s)",
					    ro->name, b.s ? b.s : "");
	geo_buf_free(&b);
	return e;
}

/* One roster row: fills every grid of its code; a code named twice with
** two different workers is an input error, since either could be wrong. */
static geo_err roster_row(struct staffing *sf, struct roster *ro, const geo_gridset *gs,
			  geo_diff_staff *st, OGRFeatureH f)
{
	char *code = trimmed(sf->ctx, geo_feat_str(f, ro->code));
	if (!code)
		return GEO_ERR_INTERNAL;
	geo_err e = GEO_OK;
	size_t i = *code ? first_with_code(gs, code) : gs->n;
	if (*code && i == gs->n) {
		if (ro->unknown++ < 5)
			geo_buf_printf(&ro->unknown_list, "%s%s", ro->unknown > 1 ? ", " : "",
				       code);
	}
	char *worker = trimmed(sf->ctx, geo_feat_str(f, ro->worker));
	if (!worker)
		e = GEO_ERR_INTERNAL;
	for (; !e && i < gs->n && !strcmp(gs->grids[i].id, code); i++) {
		if (ro->seen[i] && strcmp(st[i].worker, worker)) {
			char label[64];
			geo_feat_label(f, -1, label, sizeof label);
			e = geo_fail(sf->ctx, GEO_ERR_INPUT,
				     "%s: %s: grid %s is named twice, with workers '%s' and '%s'",
				     ro->name, label, code, st[i].worker, worker);
			break;
		}
		ro->seen[i] = 1;
		e = set(sf->ctx, &st[i].worker, worker);
		if (!e && ro->phone >= 0 && *geo_feat_str(f, ro->phone))
			e = set(sf->ctx, &st[i].phone, geo_feat_str(f, ro->phone));
		if (!e && ro->gname >= 0 && *geo_feat_str(f, ro->gname))
			e = set(sf->ctx, &st[i].name, geo_feat_str(f, ro->gname));
	}
	free(worker);
	free(code);
	return e;
}

static geo_err from_roster(struct staffing *sf, const char *name, const geo_gridset *gs,
			   geo_diff_staff *st, const char *side)
{
	struct roster ro = { .name = name };
	geo_buf_init(&ro.unknown_list);
	geo_err e = open_roster(sf, &ro);
	if (!e && !(ro.seen = geo_calloc(sf->ctx, gs->n ? gs->n : 1, 1)))
		e = GEO_ERR_INTERNAL;
	while (!e) {
		OGRFeatureH f = NULL;
		if ((e = geo_input_next(sf->ctx, ro.in, &f, NULL)) || !f)
			break;
		e = roster_row(sf, &ro, gs, st, f);
		OGR_F_Destroy(f);
	}
	if (!e && ro.unknown)
		geo_log(sf->ctx, GEO_LOG_WARN,
			P_("%s: %zu grid code names no grid of %s: %s%s",
			   "%s: %zu grid codes name no grid of %s: %s%s", ro.unknown),
			name, ro.unknown, side, ro.unknown_list.s ? ro.unknown_list.s : "",
			ro.unknown > 5 ? ", ..." : "");
	geo_buf_free(&ro.unknown_list);
	free(ro.seen);
	geo_input_close(ro.in);
	return e;
}

geo_err geo_staff_read(geo_ctx *ctx, const geo_gridset *gs, const geo_staff_fields *f,
		       const char *roster, const char *side, geo_diff_staff *st)
{
	struct staffing sf = { ctx, f };
	geo_err e = from_layer(&sf, gs, st);
	if (!e && roster)
		e = from_roster(&sf, roster, gs, st, side);
	return e;
}

void geo_staff_free(geo_diff_staff *st, size_t n)
{
	for (size_t i = 0; st && i < n; i++) {
		free(st[i].name);
		free(st[i].worker);
		free(st[i].phone);
	}
	free(st);
}

void geo_staff_opts_init(geo_staff_opts *o)
{
	o->worker_field = "worker";
	o->phone_field = "phone";
	o->roster = NULL;
}
