#include "shim.h"

// NOTE: cgo cannot call variadic C functions; these wrappers make each libvips
// call the project uses plain. Every function leaves its input alone and
// returns a new reference in *out (or -1 with the vips error buffer set).

void aug_init(void) {
	vips_block_untrusted_set(TRUE);
	vips_cache_set_max(0);
}

int aug_loader(const void *buf, size_t len, const char **name) {
	*name = vips_foreign_find_load_buffer(buf, len);
	return *name ? 0 : -1;
}

int aug_header(const void *buf, size_t len, int *w, int *h, int *bands, int *orientation) {
	VipsImage *img = vips_image_new_from_buffer(buf, len, "", NULL);
	if (!img) return -1;
	*w = vips_image_get_width(img);
	*h = vips_image_get_height(img);
	*bands = vips_image_get_bands(img);
	*orientation = 1;
	if (vips_image_get_typeof(img, VIPS_META_ORIENTATION)) vips_image_get_int(img, VIPS_META_ORIENTATION, orientation);
	g_object_unref(img);
	return 0;
}

// aug_decode loads the first frame, turns it upright, makes it 8-bit sRGB
// (keeping alpha) and copies it to memory, failing on truncated data.
int aug_decode(const void *buf, size_t len, VipsImage **out) {
	VipsImage *t[4] = {NULL, NULL, NULL, NULL};
	int rc = -1;
	t[0] = vips_image_new_from_buffer(buf, len, "", "fail_on", VIPS_FAIL_ON_ERROR, NULL);
	if (!t[0]) goto done;
	if (vips_autorot(t[0], &t[1], NULL)) goto done;
	if (vips_colourspace(t[1], &t[2], VIPS_INTERPRETATION_sRGB, NULL)) goto done;
	if (vips_cast(t[2], &t[3], VIPS_FORMAT_UCHAR, NULL)) goto done;
	*out = vips_image_copy_memory(t[3]);
	if (!*out) goto done;
	vips_image_remove(*out, VIPS_META_ORIENTATION);
	rc = 0;
done:
	for (int i = 0; i < 4; i++) if (t[i]) g_object_unref(t[i]);
	return rc;
}

int aug_flip(VipsImage *in, VipsImage **out, int horizontal) {
	return vips_flip(in, out, horizontal ? VIPS_DIRECTION_HORIZONTAL : VIPS_DIRECTION_VERTICAL, NULL);
}

int aug_rot(VipsImage *in, VipsImage **out, int quarters_ccw) {
	static const VipsAngle a[4] = {VIPS_ANGLE_D0, VIPS_ANGLE_D270, VIPS_ANGLE_D180, VIPS_ANGLE_D90};
	return vips_rot(in, out, a[((quarters_ccw % 4) + 4) % 4], NULL);
}

int aug_crop(VipsImage *in, VipsImage **out, int x, int y, int w, int h) {
	return vips_extract_area(in, out, x, y, w, h, NULL);
}

// aug_resize scales to exactly w×h.
int aug_resize(VipsImage *in, VipsImage **out, int w, int h) {
	VipsImage *t = NULL;
	if (vips_resize(in, &t, (double) w / in->Xsize, "vscale", (double) h / in->Ysize, NULL)) return -1;
	int rc;
	if (t->Xsize == w && t->Ysize == h) {
		*out = t;
		return 0;
	}
	rc = vips_embed(t, out, 0, 0, w, h, "extend", VIPS_EXTEND_COPY, NULL);
	g_object_unref(t);
	return rc;
}

// aug_recomb maps the colour bands through out = M·rgb + offset (m: three
// rows of four: r, g, b, offset), clips to 8 bits and keeps alpha.
int aug_recomb(VipsImage *in, VipsImage **out, const double *m) {
	VipsImage *t[5] = {NULL};
	int rc = -1;
	double mat[9], a[3] = {1, 1, 1}, b[3];
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 3; j++) mat[3 * i + j] = m[4 * i + j];
		b[i] = m[4 * i + 3];
	}
	if (vips_extract_band(in, &t[0], 0, "n", 3, NULL)) goto done;
	if (!(t[1] = vips_image_new_matrix_from_array(3, 3, mat, 9))) goto done;
	if (vips_recomb(t[0], &t[2], t[1], NULL)) goto done;
	if (vips_linear(t[2], &t[3], a, b, 3, NULL)) goto done;
	if (in->Bands > 3) {
		if (vips_cast(t[3], &t[4], VIPS_FORMAT_UCHAR, NULL)) goto done;
		g_object_unref(t[2]);
		t[2] = NULL;
		if (vips_extract_band(in, &t[2], 3, "n", in->Bands - 3, NULL)) goto done;
		if (vips_bandjoin2(t[4], t[2], out, NULL)) goto done;
	} else if (vips_cast(t[3], out, VIPS_FORMAT_UCHAR, NULL)) goto done;
	(*out)->Type = VIPS_INTERPRETATION_sRGB;
	rc = 0;
done:
	for (int i = 0; i < 5; i++) if (t[i]) g_object_unref(t[i]);
	return rc;
}

// aug_means gives the mean of each colour band in one pass.
int aug_means(VipsImage *in, double *means) {
	VipsImage *st = NULL, *mem = NULL;
	int rc = -1;
	if (vips_stats(in, &st, NULL)) goto done;
	if (!(mem = vips_image_copy_memory(st))) goto done;
	for (int i = 0; i < 3; i++) means[i] = *VIPS_MATRIX(mem, 4, i + 1); // column 4: mean
	rc = 0;
done:
	if (st) g_object_unref(st);
	if (mem) g_object_unref(mem);
	return rc;
}

int aug_blur(VipsImage *in, VipsImage **out, double sigma) {
	return vips_gaussblur(in, out, sigma, NULL);
}

// aug_save encodes: 0 JPEG (alpha flattened onto white), 1 PNG, 2 WebP.
int aug_save(VipsImage *in, int format, int quality, void **buf, size_t *len) {
	if (format == 0) {
		VipsImage *flat = NULL;
		if (in->Bands == 4 || in->Bands == 2) {
			double white[3] = {255, 255, 255};
			VipsArrayDouble *bg = vips_array_double_new(white, 3);
			int rc = vips_flatten(in, &flat, "background", bg, NULL);
			vips_area_unref(VIPS_AREA(bg));
			if (rc) return -1;
		} else {
			flat = in;
			g_object_ref(flat);
		}
		int rc = vips_jpegsave_buffer(flat, buf, len, "Q", quality, "strip", TRUE, NULL);
		g_object_unref(flat);
		return rc;
	}
	if (format == 1) return vips_pngsave_buffer(in, buf, len, "strip", TRUE, NULL);
	return vips_webpsave_buffer(in, buf, len, "Q", quality, "strip", TRUE, NULL);
}
