/*
** town.h: the sample town (`synth town`) as the generator holds it between
** making it (town.c, points.c, network.c) and writing it (town_write.c,
** style.c). Counts are the real, published ones of DOMAIN.md where there are
** such; data/samples/README.md says which.
*/
#ifndef TOWN_H
#define TOWN_H

#include "synth.h"

enum { N_VILLAGES = 34, N_AREAS = 6 };
enum { BASE_HOUSEHOLDS = 13000, BASE_CAMERAS = 300, BASE_TOWERS = 24, BASE_HAZARDS = 1240,
       N_PONDS = 150, N_INSPECTED = 40, N_DITCHES = 180 };

typedef struct pond {
	double x, y, area, depth, silt;
	int village, inspected;
	int kind;               /* 坑塘, 养殖塘, 苇塘 (town_write.c's pond_kinds) */
} pond;

/* A building footprint (buildings.c): an axis-aligned box xmin, ymin,
** xmax, ymax; hh the household whose house it is, or -1. */
enum { B_HOUSE, B_BLOCK, B_COMMITTEE, B_WORKSHOP };
typedef struct building {
	double box[4], height;
	int kind, floors, village;
	long hh;
} building;

typedef struct camera {
	double x, y, az, fov, range, height;
	int tower, village;
	char name[96];
} camera;

/* A hazard or a case: day of 2021 (0-364), category, and so on. */
typedef struct event {
	double x, y;
	int doy, category, severity, status, village;
	int sub;                /* refine_kinds: a fire hazard 0 消防 / 1 燃气, other 0 违法用地 / 1 其他 */
	size_t gen;             /* order of drawing, to sort stably by day */
	/* ledgers.c: the secondary grid, the deadline and closing day (-1: not
	** closed) of a hazard; the level that solved a case (0 grid, 1 area,
	** 2 town, -1 not solved). */
	int grid, deadline, closed, level;
} event;

/* A household visit or a pond or ditch inspection: who, what, which day. */
typedef struct visit {
	int doy;
	int what;               /* household index, or pond (0..) / ditch (1000+) */
	int worker;             /* secondary grid (its worker), or -1 - primary (its head) */
} visit;

typedef struct town {
	double scale;                   /* --scale: households, cameras, events × scale */
	GEOSGeometry *shape;            /* the rough outline the grids were cut from */
	GEOSGeometry *town;             /* the final town, the union of its faces */
	const GEOSPreparedGeometry *town_p;
	seeds vs, ps, ss;               /* village, primary and secondary seeds */
	double *sigma;                  /* settlement spread per village */
	double sub_x[N_VILLAGES], sub_y[N_VILLAGES];
	int has_sub[N_VILLAGES];        /* the village has a hamlet at sub_x, sub_y */
	GEOSGeometry **vill, **prim, **sec, **area;
	geo_index *vill_ix, *sec_ix;
	int vrank[N_VILLAGES];          /* west-to-east, north-to-south rank */
	int area_of[N_VILLAGES];
	char vname[N_VILLAGES][64];
	double *vadj;                   /* shared boundary length between villages */
	/* households: persons, village, secondary grid */
	size_t nh;
	double *hx, *hy;
	int *hp, *hv, *hs;
	/* lines and polygons */
	glist roads, rivers, ditches;
	dvec road_class;                /* 0 main, 1 village, 2 lane per road */
	char **road_name;
	size_t n_river;                 /* rivers[0 .. n_river) are the river, the rest the canal */
	GEOSGeometry **ponds;
	pond *pond;
	size_t nponds;
	/* points */
	camera *cams;
	size_t ncams;
	event *hazards, *cases;
	size_t nhazards, ncases;
	/* ledgers.c: the grid workers (网格员) of the secondaries, the heads
	** (网格长) of the primaries, how diligent each secondary's worker is
	** (0..1), the visits ledger and the pond and ditch inspections */
	char sec_worker[N_SECONDARY][32], sec_phone[N_SECONDARY][16];
	char prim_worker[N_PRIMARY][32], prim_phone[N_PRIMARY][16];
	double diligence[N_SECONDARY];
	visit *visits, *inspections;
	size_t nvisits, ninspections;
	int *hh_num;            /* each household's number in hh_id (H000001 ..) */
	building *bld;          /* buildings.c: footprints with heights */
	size_t nbld;
} town;

/* town.c */
/* The village whose interior holds (x, y), or -1. */
int village_at(synth *s, const town *t, double x, double y);

/* points.c */
void make_households(synth *s, town *t, GEOSGeometry **vcells);
void make_ponds(synth *s, town *t);
void make_cameras(synth *s, town *t);
void make_hazards(synth *s, town *t);
void make_cases(synth *s, town *t);

/* ledgers.c */
void make_ledgers(synth *s, town *t);
/* The pond or ditch id an inspection names (KT001, GQ001). */
void inspected_id(const visit *v, char *buf, size_t size);

/* buildings.c */
void make_buildings(synth *s, town *t);
/* points.c, after the ledgers: fire into 消防 and 燃气, other into 违法用地
** and 其他 (the hazards' `kind`), and each pond's kind. */
void refine_kinds(synth *s, town *t);

/* network.c */
void make_roads(synth *s, town *t);
void make_rivers(synth *s, town *t);
void make_ditches(synth *s, town *t);

/* town_write.c */
void write_town_layers(synth *s, const town *t, geo_output *out, const geo_crs *crs);
geo_err write_gcj02_csv(synth *s, const town *t, const char *path, const geo_crs *crs,
			int overwrite);

/* style.c: the layer's default QGIS style, written into the GeoPackage. */
void style_layer(synth *s, geo_output *out, OGRLayerH l);

#endif
