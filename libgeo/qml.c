/*
** qml.c: QGIS styles (QML) that tools attach to their outputs: a graduated
** fill for per-grid numbers with class breaks taken from the data. Written
** for QGIS 3.22 and read by every later version.
*/
#include "geo_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ColorBrewer's YlOrRd, light to dark. */
static const char *const ramp[] = { "255,255,178", "254,204,92", "253,141,60", "240,59,32",
				    "189,0,38" };

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int decimals_for(double v)
{
	v = fabs(v);
	return v >= 100 ? 0 : v >= 10 ? 1 : v >= 1 ? 2 : 3; /* about three figures */
}

static void add_symbol(geo_buf *b, int i, const char *rgb, int alpha)
{
	geo_buf_printf(b, "      <symbol type=\"fill\" name=\"%d\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
			  "        <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
			  "          <Option type=\"Map\">\n"
			  "            <Option name=\"color\" value=\"%s,%d\" type=\"QString\"/>\n"
			  "            <Option name=\"outline_color\" value=\"90,90,90,255\" type=\"QString\"/>\n"
			  "            <Option name=\"outline_style\" value=\"solid\" type=\"QString\"/>\n"
			  "            <Option name=\"outline_width\" value=\"0.26\" type=\"QString\"/>\n"
			  "            <Option name=\"outline_width_unit\" value=\"MM\" type=\"QString\"/>\n"
			  "            <Option name=\"style\" value=\"solid\" type=\"QString\"/>\n"
			  "          </Option>\n"
			  "        </layer>\n      </symbol>\n",
		       i, rgb, alpha);
}

/* Up to five breaks at quantiles of the positive values, without repeats. */
static int quantile_breaks(const double *v, size_t n, double *breaks)
{
	double *pos = malloc(sizeof *pos * (n ? n : 1));
	if (!pos)
		return 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] > 0 && isfinite(v[i]))
			pos[k++] = v[i];
	qsort(pos, k, sizeof *pos, by_double);
	int nb = 0;
	for (int c = 1; k && c <= 5; c++) {
		double q = pos[(size_t)ceil((double)c * k / 5) - 1];
		if (!nb || q > breaks[nb - 1])
			breaks[nb++] = q;
	}
	free(pos);
	return nb;
}

char *geo_qml_graduated(const char *field, const double *values, size_t n, const char *unit)
{
	double breaks[5];
	int nb = quantile_breaks(values, n, breaks);
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_add(&b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
			"<qgis version=\"3.22.0\" styleCategories=\"AllStyleCategories\">\n");
	geo_buf_printf(&b, "  <renderer-v2 type=\"graduatedSymbol\" graduatedMethod=\"GraduatedColor\" "
			   "attr=\"%s\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <ranges>\n",
		       field);
	geo_buf_printf(&b, "      <range lower=\"0\" upper=\"0\" symbol=\"0\" label=\"0 %s\" render=\"true\"/>\n",
		       unit);
	int d = nb ? decimals_for(breaks[nb - 1]) : 0;
	for (int i = 0; i < nb; i++) {
		double lo = i ? breaks[i - 1] : 0, hi = breaks[i];
		geo_buf_printf(&b, "      <range lower=\"%.17g\" upper=\"%.17g\" symbol=\"%d\" "
				   "label=\"%.*f – %.*f %s\" render=\"true\"/>\n",
			       lo, hi, i + 1, d, lo, d, hi, unit);
	}
	geo_buf_add(&b, "    </ranges>\n    <symbols>\n");
	add_symbol(&b, 0, "240,240,240", 120);
	for (int i = 0; i < nb; i++)
		add_symbol(&b, i + 1, ramp[nb == 1 ? 4 : i * 4 / (nb - 1)], 255);
	geo_buf_add(&b, "    </symbols>\n  </renderer-v2>\n  <blendMode>0</blendMode>\n"
			"  <featureBlendMode>0</featureBlendMode>\n  <layerGeometryType>2</layerGeometryType>\n"
			"</qgis>\n");
	return geo_buf_take(&b);
}
