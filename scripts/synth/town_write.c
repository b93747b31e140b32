/*
** town_write.c: the sample town's layers as data/samples/README.md lists
** them, in a fixed order, each with its default QGIS style (style.c); and
** the cameras once more as a user copies them from a web map, GCJ-02 lon/lat
** in a CSV file. Codes and names follow the town's order: west to east,
** north to south (geo_grid_order), codes by geo_grid_code_*.
*/
#include "town.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const char *cn_num[] = { "一", "二", "三", "四", "五", "六", "七", "八", "九" };

/* Households and persons per village, per secondary and in all. */
typedef struct counts {
	long vh[N_VILLAGES], vp[N_VILLAGES], sh[N_SECONDARY], sp[N_SECONDARY], th, tp;
} counts;

static void count_households(const town *t, counts *c)
{
	*c = (counts){ 0 };
	for (size_t h = 0; h < t->nh; h++) {
		c->vh[t->hv[h]]++;
		c->vp[t->hv[h]] += t->hp[h];
		c->sh[t->hs[h]]++;
		c->sp[t->hs[h]] += t->hp[h];
		c->th++;
		c->tp += t->hp[h];
	}
}

/* A layer of the town, with its default style. */
static OGRLayerH town_layer(synth *s, geo_output *out, const char *name, const geo_crs *crs,
			    OGRwkbGeometryType type, const field *fields)
{
	OGRLayerH l = new_layer(s, out, name, crs, type, fields);
	style_layer(s, out, l);
	return l;
}

static void order_of(synth *s, GEOSGeometry *const *g, size_t n, size_t *order)
{
	if (geo_grid_order(s->ctx, g, n, order))
		fatal("%s", geo_last_error(s->ctx));
}

static const char *vname_or_empty(const town *t, int v)
{
	return v >= 0 ? t->vname[v] : "";
}

static void write_township(synth *s, const town *t, geo_output *out, const geo_crs *crs,
			   const counts *c)
{
	static const field tf[] = { { "name", OFTString }, { "code", OFTString }, { "area_m2", OFTReal },
				    { "households", OFTInteger }, { "persons", OFTInteger }, { 0 } };
	OGRLayerH l = town_layer(s, out, "township", crs, wkbPolygon, tf);
	OGRFeatureH f = new_feature(l);
	set_str(f, "name", "下伍旗镇");
	set_str(f, "code", TOWN_CODE);
	set_num(f, "area_m2", area_of(s, t->town));
	set_int(f, "households", c->th);
	set_int(f, "persons", c->tp);
	put(s, l, f, t->town);
	OGR_F_Destroy(f);
}

/* Areas 第一片区 .. 第六片区 in the town's order; arank gets each area's rank. */
static void write_areas(synth *s, const town *t, geo_output *out, const geo_crs *crs,
			const counts *c, int *arank)
{
	static const field af[] = { { "area_id", OFTInteger }, { "name", OFTString },
				    { "villages", OFTInteger }, { "households", OFTInteger },
				    { "persons", OFTInteger }, { "area_m2", OFTReal }, { 0 } };
	size_t aorder[N_AREAS];
	order_of(s, t->area, N_AREAS, aorder);
	OGRLayerH l = town_layer(s, out, "areas", crs, wkbPolygon, af);
	for (int k = 0; k < N_AREAS; k++) {
		int a = (int)aorder[k];
		long nv = 0, hh = 0, pp = 0;
		arank[a] = k;
		for (int v = 0; v < N_VILLAGES; v++)
			if (t->area_of[v] == a) {
				nv++;
				hh += c->vh[v];
				pp += c->vp[v];
			}
		char name[64];
		snprintf(name, sizeof name, "第%s片区", cn_num[k]);
		OGRFeatureH f = new_feature(l);
		set_int(f, "area_id", k + 1);
		set_str(f, "name", name);
		set_int(f, "villages", nv);
		set_int(f, "households", hh);
		set_int(f, "persons", pp);
		set_num(f, "area_m2", area_of(s, t->area[a]));
		put(s, l, f, t->area[a]);
		OGR_F_Destroy(f);
	}
}

/* Villages in the town's order. A village committee's code (GB/T 10114:
** the town's 9 digits and 2xx) has the form of a primary grid code. */
static void write_villages(synth *s, const town *t, geo_output *out, const geo_crs *crs,
			   const counts *c, const int *arank)
{
	static const field vf[] = { { "village_code", OFTString }, { "name", OFTString },
				    { "area_name", OFTString }, { "households", OFTInteger },
				    { "persons", OFTInteger }, { "area_m2", OFTReal }, { 0 } };
	OGRLayerH l = town_layer(s, out, "villages", crs, wkbPolygon, vf);
	for (int k = 0; k < N_VILLAGES; k++) {
		int v = 0;
		while (t->vrank[v] != k)
			v++;
		char code[32], an[64];
		if (geo_grid_code_primary(code, sizeof code, TOWN_CODE, 201 + k))
			fatal("village code");
		snprintf(an, sizeof an, "第%s片区", cn_num[arank[t->area_of[v]]]);
		OGRFeatureH f = new_feature(l);
		set_str(f, "village_code", code);
		set_str(f, "name", t->vname[v]);
		set_str(f, "area_name", an);
		set_int(f, "households", c->vh[v]);
		set_int(f, "persons", c->vp[v]);
		set_num(f, "area_m2", area_of(s, t->vill[v]));
		put(s, l, f, t->vill[v]);
		OGR_F_Destroy(f);
	}
}

static const field grid_fields[] = { { "grid_id", OFTString }, { "level", OFTInteger },
				     { "parent_id", OFTString }, { "name", OFTString },
				     { "village", OFTString }, { "households", OFTInteger },
				     { "persons", OFTInteger }, { "area_m2", OFTReal },
				     { "worker", OFTString }, { "phone", OFTString }, { 0 } };

/* What the secondaries take from their primary: its code and its name. */
typedef struct primaries {
	size_t order[N_PRIMARY];
	char code[N_PRIMARY][32], name[N_PRIMARY][96];
} primaries;

/* A primary's name: its village's, with 一区, 二区 .. where a village has two. */
static void name_primaries(const town *t, primaries *pr)
{
	int vseq[N_VILLAGES] = { 0 }, vcnt[N_VILLAGES] = { 0 };
	for (int p = 0; p < N_PRIMARY; p++)
		vcnt[t->ps.parent[p]]++;
	for (int k = 0; k < N_PRIMARY; k++) {
		int p = (int)pr->order[k], v = t->ps.parent[p];
		if (vcnt[v] > 1)
			snprintf(pr->name[p], sizeof pr->name[p], "%s%s区", t->vname[v], cn_num[vseq[v]++]);
		else
			snprintf(pr->name[p], sizeof pr->name[p], "%s", t->vname[v]);
	}
}

static void write_primaries(synth *s, const town *t, geo_output *out, const geo_crs *crs,
			    const counts *c, primaries *pr)
{
	order_of(s, t->prim, N_PRIMARY, pr->order);
	name_primaries(t, pr);
	OGRLayerH l = town_layer(s, out, "primary", crs, wkbPolygon, grid_fields);
	for (int k = 0; k < N_PRIMARY; k++) {
		int p = (int)pr->order[k], v = t->ps.parent[p];
		long hh = 0, pp = 0;
		for (int g = 0; g < N_SECONDARY; g++)
			if (t->ss.parent[g] == p) {
				hh += c->sh[g];
				pp += c->sp[g];
			}
		if (geo_grid_code_primary(pr->code[p], sizeof pr->code[p], TOWN_CODE, k + 1))
			fatal("primary code");
		char name[128];
		snprintf(name, sizeof name, "%s网格", pr->name[p]);
		OGRFeatureH f = new_feature(l);
		set_str(f, "grid_id", pr->code[p]);
		set_int(f, "level", 1);
		set_str(f, "name", name);
		set_str(f, "village", t->vname[v]);
		set_int(f, "households", hh);
		set_int(f, "persons", pp);
		set_num(f, "area_m2", area_of(s, t->prim[p]));
		set_str(f, "worker", t->prim_worker[p]);
		set_str(f, "phone", t->prim_phone[p]);
		put(s, l, f, t->prim[p]);
		OGR_F_Destroy(f);
	}
}

/* The secondaries of primary p, in their order inside it. */
static void write_children(synth *s, const town *t, OGRLayerH l, const counts *c,
			   const primaries *pr, int p)
{
	GEOSGeometry *kids[N_SECONDARY];
	int kid_of[N_SECONDARY];
	size_t nk = 0, korder[N_SECONDARY];
	for (int g = 0; g < N_SECONDARY; g++)
		if (t->ss.parent[g] == p) {
			kid_of[nk] = g;
			kids[nk++] = t->sec[g];
		}
	order_of(s, kids, nk, korder);
	for (size_t j = 0; j < nk; j++) {
		int g = kid_of[korder[j]];
		char code[32], name[128];
		if (geo_grid_code_secondary(code, sizeof code, pr->code[p], (int)j + 1))
			fatal("secondary code");
		snprintf(name, sizeof name, "%s第%zu网格", pr->name[p], j + 1);
		OGRFeatureH f = new_feature(l);
		set_str(f, "grid_id", code);
		set_int(f, "level", 2);
		set_str(f, "parent_id", pr->code[p]);
		set_str(f, "name", name);
		set_str(f, "village", t->vname[t->ps.parent[p]]);
		set_int(f, "households", c->sh[g]);
		set_int(f, "persons", c->sp[g]);
		set_num(f, "area_m2", area_of(s, t->sec[g]));
		set_str(f, "worker", t->sec_worker[g]);
		set_str(f, "phone", t->sec_phone[g]);
		put(s, l, f, t->sec[g]);
		OGR_F_Destroy(f);
	}
}

static void write_households(synth *s, const town *t, geo_output *out, const geo_crs *crs)
{
	static const field hf[] = { { "hh_id", OFTString }, { "persons", OFTInteger },
				    { "village", OFTString }, { 0 } };
	OGRLayerH l = town_layer(s, out, "households", crs, wkbPoint, hf);
	OGRFeatureH f = new_feature(l);
	size_t id = 0;
	for (int k = 0; k < N_VILLAGES; k++)
		for (size_t h = 0; h < t->nh; h++) {
			if (t->vrank[t->hv[h]] != k)
				continue;
			char code[32];
			snprintf(code, sizeof code, "H%06zu", ++id);
			set_str(f, "hh_id", code);
			set_int(f, "persons", t->hp[h]);
			set_str(f, "village", t->vname[t->hv[h]]);
			put_point(l, f, t->hx[h], t->hy[h]);
		}
	OGR_F_Destroy(f);
}

static void write_buildings(synth *s, const town *t, geo_output *out, const geo_crs *crs)
{
	static const field bf[] = { { "bld_id", OFTString }, { "kind", OFTString },
				    { "floors", OFTInteger }, { "height_m", OFTReal },
				    { "village", OFTString }, { "hh_id", OFTString }, { 0 } };
	static const char *kinds[] = { "住宅", "楼房", "村委会", "厂房" };
	OGRLayerH l = town_layer(s, out, "buildings", crs, wkbPolygon, bf);
	for (size_t i = 0; i < t->nbld; i++) {
		const building *b = &t->bld[i];
		char id[32], hh[32];
		snprintf(id, sizeof id, "JZ%06zu", i + 1);
		OGRFeatureH f = new_feature(l);
		set_str(f, "bld_id", id);
		set_str(f, "kind", kinds[b->kind]);
		set_int(f, "floors", b->floors);
		set_num(f, "height_m", b->height);
		set_str(f, "village", vname_or_empty(t, b->village));
		if (b->hh >= 0) {
			snprintf(hh, sizeof hh, "H%06d", t->hh_num[b->hh]);
			set_str(f, "hh_id", hh);
		} else {
			OGR_F_SetFieldNull(f, OGR_F_GetFieldIndex(f, "hh_id"));
		}
		double xy[10] = { b->box[0], b->box[1], b->box[2], b->box[1], b->box[2],
				  b->box[3], b->box[0], b->box[3], b->box[0], b->box[1] };
		GEOSGeometry *g = make_polygon(s, xy, 5);
		put(s, l, f, g);
		GEOSGeom_destroy_r(s->h, g);
		OGR_F_Destroy(f);
	}
}

static void write_roads(synth *s, const town *t, geo_output *out, const geo_crs *crs)
{
	/* main roads, village roads and lanes, in words grid-split weighs as
	** main, village and lane (公路 0.2, 村道 0.3, 巷 0.45) */
	static const char *rclass[] = { "公路", "村道", "巷道" };
	static const field rf[] = { { "class", OFTString }, { "name", OFTString }, { 0 } };
	OGRLayerH l = town_layer(s, out, "roads", crs, wkbLineString, rf);
	for (size_t i = 0; i < t->roads.n; i++) {
		OGRFeatureH f = new_feature(l);
		set_str(f, "class", rclass[(int)t->road_class.v[i]]);
		set_str(f, "name", t->road_name[i]);
		put(s, l, f, t->roads.g[i]);
		OGR_F_Destroy(f);
	}
}

static void write_rivers(synth *s, const town *t, geo_output *out, const geo_crs *crs)
{
	static const field wf[] = { { "class", OFTString }, { "name", OFTString },
				    { "width_m", OFTReal }, { 0 } };
	OGRLayerH l = town_layer(s, out, "rivers", crs, wkbLineString, wf);
	for (size_t i = 0; i < t->rivers.n; i++) {
		int river = i < t->n_river;
		OGRFeatureH f = new_feature(l);
		set_str(f, "class", river ? "河流" : "人工河道");
		set_str(f, "name", river ? "龙凤河" : "新开渠");
		set_num(f, "width_m", river ? 40 : 12);
		put(s, l, f, t->rivers.g[i]);
		OGR_F_Destroy(f);
	}
}

static void write_ditches(synth *s, const town *t, geo_output *out, const geo_crs *crs)
{
	static const field df[] = { { "ditch_id", OFTString }, { "village", OFTString },
				    { "length_m", OFTReal }, { 0 } };
	OGRLayerH l = town_layer(s, out, "ditches", crs, wkbLineString, df);
	for (size_t i = 0; i < t->ditches.n; i++) {
		const GEOSGeometry *g = t->ditches.g[i];
		char id[32];
		double x, y;
		inside_point(s, g, &x, &y);
		snprintf(id, sizeof id, "GQ%03zu", i + 1);
		OGRFeatureH f = new_feature(l);
		set_str(f, "ditch_id", id);
		set_str(f, "village", vname_or_empty(t, village_at(s, t, x, y)));
		set_num(f, "length_m", round(geo_geom_length(s->ctx, g) * 100) / 100);
		put(s, l, f, g);
		OGR_F_Destroy(f);
	}
}

static void write_ponds(synth *s, const town *t, geo_output *out, const geo_crs *crs)
{
	static const field pf[] = { { "pond_id", OFTString }, { "name", OFTString },
				    { "village", OFTString }, { "area_m2", OFTReal },
				    { "depth_m", OFTReal }, { "volume_m3", OFTReal },
				    { "inspected", OFTInteger }, { "silt_m3", OFTReal },
				    { "kind", OFTString }, { 0 } };
	static const char *pond_kinds[] = { "坑塘", "养殖塘", "苇塘" };
	OGRLayerH l = town_layer(s, out, "ponds", crs, wkbPolygon, pf);
	int seq[N_VILLAGES] = { 0 };
	for (size_t i = 0; i < t->nponds; i++) {
		const pond *p = &t->pond[i];
		char id[32], name[128];
		snprintf(id, sizeof id, "KT%03zu", i + 1);
		snprintf(name, sizeof name, "%s%d号坑塘", t->vname[p->village], ++seq[p->village]);
		OGRFeatureH f = new_feature(l);
		set_str(f, "pond_id", id);
		set_str(f, "name", name);
		set_str(f, "village", t->vname[p->village]);
		set_num(f, "area_m2", round(p->area * 100) / 100);
		set_num(f, "depth_m", p->depth);
		set_num(f, "volume_m3", round(p->area * p->depth));
		set_int(f, "inspected", p->inspected);
		set_num(f, "silt_m3", p->silt);
		set_str(f, "kind", pond_kinds[p->kind]);
		put(s, l, f, t->ponds[i]);
		OGR_F_Destroy(f);
	}
}

/* The high-point system's towers (慧眼) and the village bullet cameras (雪亮工程). */
static const char *camera_kind(const camera *c)
{
	return c->tower ? "高点" : "枪机";
}

static void write_cameras(synth *s, const town *t, geo_output *out, const geo_crs *crs)
{
	static const field cf[] = { { "name", OFTString }, { "type", OFTString },
				    { "azimuth_deg", OFTReal }, { "fov_deg", OFTReal },
				    { "range_m", OFTReal }, { "height_m", OFTReal },
				    { "village", OFTString }, { 0 } };
	OGRLayerH l = town_layer(s, out, "cameras", crs, wkbPoint, cf);
	OGRFeatureH f = new_feature(l);
	for (size_t i = 0; i < t->ncams; i++) {
		const camera *c = &t->cams[i];
		set_str(f, "name", c->name);
		set_str(f, "type", camera_kind(c));
		set_num(f, "azimuth_deg", c->az);
		set_num(f, "fov_deg", c->fov);
		set_num(f, "range_m", c->range);
		set_num(f, "height_m", c->height);
		set_str(f, "village", vname_or_empty(t, c->village));
		put_point(l, f, c->x, c->y);
	}
	OGR_F_Destroy(f);
}

/* Day doy of 2021 (0-364; later days run into 2022, as a deadline may) as
** an OGR date. */
static void set_date(OGRFeatureH f, const char *name, int doy)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int m = 0, y = 2021;
	while (doy >= mdays[m]) {
		doy -= mdays[m];
		if (++m == 12)
			m = 0, y++;
	}
	OGR_F_SetFieldDateTime(f, OGR_F_GetFieldIndex(f, name), y, m + 1, doy + 1, 0, 0, 0, 0);
}

/* The values as a town's ledgers write them. Hazards: fire (消防, or 燃气
** by refine_kinds), flood, traffic, building, electrical, environment,
** dispute, other (违法用地 or 其他); severity low, medium, high; status
** resolved, in progress, open; cases: dispute, service request, petition;
** the level that solved a case: grid, area, town (grid-assess reads these
** as well as the English words). */
static const char *hazard_cats[8][2] = { { "消防", "燃气" }, { "防汛", "防汛" }, { "交通", "交通" },
					 { "房屋安全", "房屋安全" }, { "用电", "用电" },
					 { "环境卫生", "环境卫生" }, { "矛盾纠纷", "矛盾纠纷" },
					 { "违法用地", "其他" } };
static const char *severities[] = { "一般", "较大", "重大" };
static const char *statuses[] = { "已办结", "办理中", "待处理" };
static const char *case_cats[] = { "矛盾纠纷", "便民服务", "信访" };
static const char *levels[] = { "网格", "片区", "镇" };

/* Hazards (hazards = 1) or cases, numbered YH2021-0001 / AJ2021-0001 by day. */
static void write_events(synth *s, const town *t, geo_output *out, const geo_crs *crs,
			 int hazards)
{
	static const field hf[] = { { "hazard_id", OFTString }, { "date", OFTDate },
				    { "category", OFTString }, { "severity", OFTString },
				    { "status", OFTString }, { "village", OFTString },
				    { "deadline", OFTDate }, { "closed", OFTDate }, { 0 } };
	static const field kf[] = { { "case_id", OFTString }, { "date", OFTDate },
				    { "category", OFTString }, { "status", OFTString },
				    { "village", OFTString }, { "level", OFTString }, { 0 } };
	const event *e = hazards ? t->hazards : t->cases;
	size_t n = hazards ? t->nhazards : t->ncases;
	OGRLayerH l = town_layer(s, out, hazards ? "hazards" : "cases", crs, wkbPoint, hazards ? hf : kf);
	OGRFeatureH f = new_feature(l);
	for (size_t i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof id, "%s2021-%04zu", hazards ? "YH" : "AJ", i + 1);
		set_str(f, hazards ? "hazard_id" : "case_id", id);
		set_date(f, "date", e[i].doy);
		set_str(f, "category", hazards ? hazard_cats[e[i].category][e[i].sub]
					       : case_cats[e[i].category]);
		if (hazards)
			set_str(f, "severity", severities[e[i].severity]);
		set_str(f, "status", statuses[e[i].status]);
		set_str(f, "village", vname_or_empty(t, e[i].village));
		if (hazards) {
			set_date(f, "deadline", e[i].deadline);
			if (e[i].closed >= 0)
				set_date(f, "closed", e[i].closed);
			else
				OGR_F_SetFieldNull(f, OGR_F_GetFieldIndex(f, "closed"));
		} else if (e[i].level >= 0) {
			set_str(f, "level", levels[e[i].level]);
		} else {
			OGR_F_SetFieldNull(f, OGR_F_GetFieldIndex(f, "level"));
		}
		put_point(l, f, e[i].x, e[i].y);
	}
	OGR_F_Destroy(f);
}

/* Who did a visit or an inspection: the secondary's worker or the primary's head. */
static const char *visitor(const town *t, const visit *v)
{
	return v->worker >= 0 ? t->sec_worker[v->worker]
	       : v->worker < -1 - N_PRIMARY ? "" : t->prim_worker[-1 - v->worker];
}

/* The visits ledger and the pond and ditch inspections: tables without
** geometry, in the order of their days. */
static void write_ledgers(synth *s, const town *t, geo_output *out)
{
	static const field vf[] = { { "hh_id", OFTString }, { "worker", OFTString },
				    { "date", OFTDate }, { 0 } };
	static const field pf[] = { { "pond_id", OFTString }, { "worker", OFTString },
				    { "date", OFTDate }, { 0 } };
	OGRLayerH l = new_layer(s, out, "visits", NULL, wkbNone, vf);
	OGRFeatureH f = new_feature(l);
	for (size_t i = 0; i < t->nvisits; i++) {
		char id[32];
		snprintf(id, sizeof id, "H%06d", t->visits[i].what);
		set_str(f, "hh_id", id);
		set_str(f, "worker", visitor(t, &t->visits[i]));
		set_date(f, "date", t->visits[i].doy);
		OGR_F_SetFID(f, OGRNullFID);
		if (OGR_L_CreateFeature(l, f) != OGRERR_NONE)
			fatal("cannot write to layer visits: %s", geo_cpl_error("write failed"));
	}
	OGR_F_Destroy(f);
	l = new_layer(s, out, "pond_inspections", NULL, wkbNone, pf);
	f = new_feature(l);
	for (size_t i = 0; i < t->ninspections; i++) {
		char id[32];
		inspected_id(&t->inspections[i], id, sizeof id);
		set_str(f, "pond_id", id);
		set_str(f, "worker", visitor(t, &t->inspections[i]));
		set_date(f, "date", t->inspections[i].doy);
		OGR_F_SetFID(f, OGRNullFID);
		if (OGR_L_CreateFeature(l, f) != OGRERR_NONE)
			fatal("cannot write to layer pond_inspections: %s", geo_cpl_error("write failed"));
	}
	OGR_F_Destroy(f);
}

void write_town_layers(synth *s, const town *t, geo_output *out, const geo_crs *crs)
{
	counts c;
	primaries pr;
	int arank[N_AREAS];
	count_households(t, &c);
	write_township(s, t, out, crs, &c);
	write_areas(s, t, out, crs, &c, arank);
	write_villages(s, t, out, crs, &c, arank);
	write_primaries(s, t, out, crs, &c, &pr);
	OGRLayerH l = town_layer(s, out, "secondary", crs, wkbPolygon, grid_fields);
	for (int k = 0; k < N_PRIMARY; k++)
		write_children(s, t, l, &c, &pr, (int)pr.order[k]);
	write_households(s, t, out, crs);
	write_buildings(s, t, out, crs);
	write_roads(s, t, out, crs);
	write_rivers(s, t, out, crs);
	write_ditches(s, t, out, crs);
	write_ponds(s, t, out, crs);
	write_cameras(s, t, out, crs);
	write_events(s, t, out, crs, 1);
	write_events(s, t, out, crs, 0);
	write_ledgers(s, t, out);
}

/* The cameras as a user copies them from a web map: GCJ-02 lon/lat with
** Chinese column names, converted from the town's CRS by libgeo. */
geo_err write_gcj02_csv(synth *s, const town *t, const char *path, const geo_crs *crs,
			int overwrite)
{
	size_t n = t->ncams;
	geo_crs *wgs = geo_crs_new(s->ctx, "EPSG:4326");
	geo_transform *tr = wgs ? geo_transform_new(s->ctx, crs, wgs) : NULL;
	double *x = xcalloc(n, sizeof *x), *y = xcalloc(n, sizeof *y);
	for (size_t i = 0; i < n; i++) {
		x[i] = t->cams[i].x;
		y[i] = t->cams[i].y;
	}
	geo_err e = tr ? geo_transform_points(s->ctx, tr, n, x, y) : geo_last_code(s->ctx);
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_add(&b, "name,经度,纬度,type,azimuth_deg,fov_deg,range_m,height_m\n");
	for (size_t i = 0; !e && i < n; i++) {
		const camera *c = &t->cams[i];
		double glon, glat;
		geo_wgs84_to_gcj02(x[i], y[i], &glon, &glat);
		geo_buf_printf(&b, "%s,%.6f,%.6f,%s,%.0f,%.0f,%.0f,%.1f\n", c->name, glon, glat,
			       camera_kind(c), c->az, c->fov, c->range, c->height);
	}
	char *text = geo_buf_take(&b);
	if (!text)
		fatal("out of memory");
	if (!e)
		e = write_text(s, path, text, overwrite);
	free(text);
	free(x);
	free(y);
	geo_transform_free(tr);
	geo_crs_free(wgs);
	return e;
}
