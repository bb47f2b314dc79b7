#include <stdint.h>
#include <string.h>
#include "shim.h"

// NOTE: cgo cannot call variadic C functions; these wrappers make each libvips
// call the project uses plain.

void aug_init(void) {
	vips_block_untrusted_set(TRUE);
	vips_cache_set_max(0);
	// bimg sets one worker thread unless VIPS_CONCURRENCY is set: take one per
	// core, so ops are computed beside the encoder.
	if (!g_getenv("VIPS_CONCURRENCY")) vips_concurrency_set(g_get_num_processors());
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
// (keeping alpha) and copies it to memory, failing on truncated data. A
// JPEG is shrunk on load by jpeg_shrink (1, 2, 4 or 8: libjpeg's DCT
// scaling) and a WebP scaled by webp_scale (1 is whole); other formats
// ignore both. With direct, libjpeg reads a JPEG straight into memory
// (jpeg.c), with split on two threads.
int aug_decode(const void *buf, size_t len, int jpeg_shrink, double webp_scale, int direct, int split, VipsImage **out) {
	VipsImage *t[4] = {NULL, NULL, NULL, NULL};
	int rc = -1;
	// NOTE: libjpeg reports scan data that ends before the image does (a header
	// claiming 7000×7000 over 112 KB) only as a warning and fills the rest
	// with grey; for JPEG a warning fails the decode.
	const char *loader = vips_foreign_find_load_buffer(buf, len);
	VipsFailOn fail_on = loader && g_str_has_prefix(loader, "VipsForeignLoadJpeg") ? VIPS_FAIL_ON_WARNING : VIPS_FAIL_ON_ERROR;
	if (loader && g_str_has_prefix(loader, "VipsForeignLoadJpeg") && jpeg_shrink > 1)
		t[0] = vips_image_new_from_buffer(buf, len, "", "fail_on", fail_on, "shrink", jpeg_shrink, NULL);
	else if (loader && g_str_has_prefix(loader, "VipsForeignLoadWebp") && webp_scale < 1)
		t[0] = vips_image_new_from_buffer(buf, len, "", "fail_on", fail_on, "scale", webp_scale, NULL);
	else
		t[0] = vips_image_new_from_buffer(buf, len, "", "fail_on", fail_on, NULL);
	if (!t[0]) goto done;
	VipsImage *mem;
	if (direct && fail_on == VIPS_FAIL_ON_WARNING && aug_jpeg_decode(buf, len, jpeg_shrink, t[0], split, &mem) == 0) {
		g_object_unref(t[0]);
		t[0] = mem;
		int orientation = 1;
		if (vips_image_get_typeof(mem, VIPS_META_ORIENTATION)) vips_image_get_int(mem, VIPS_META_ORIENTATION, &orientation);
		if (orientation <= 1 && mem->Bands == 3) {
			// NOTE: upright 8-bit sRGB in memory already: what the steps below would make.
			*out = mem;
			t[0] = NULL;
			vips_image_remove(*out, VIPS_META_ORIENTATION);
			rc = 0;
			goto done;
		}
	}
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

int aug_crop(VipsImage *in, VipsImage **out, int x, int y, int w, int h) {
	return vips_extract_area(in, out, x, y, w, h, NULL);
}

// aug_resize scales to exactly w×h, pixel centres to pixel centres: output
// pixel X shows the input at (X + 0.5)·in/out − 0.5.
// NOTE: vips_resize shrinks so, but enlarges with vips_affine moved by half
// an input pixel and not back by half an output one, which puts the image
// half an output pixel right of and below where labels (and masks) are.
// It only shrinks here; enlarging is the affine with both halves.
int aug_resize(VipsImage *in, VipsImage **out, int w, int h) {
	double hs = (double) w / in->Xsize, vs = (double) h / in->Ysize;
	VipsImage *t = NULL, *u = NULL;
	if (hs < 1 || vs < 1) {
		if (vips_resize(in, &t, hs < 1 ? hs : 1, "vscale", vs < 1 ? vs : 1, NULL)) return -1;
	} else {
		t = in;
		g_object_ref(t);
	}
	if (t->Xsize < w || t->Ysize < h) {
		VipsInterpolate *bicubic = vips_interpolate_new("bicubic");
		VipsArrayInt *area = vips_array_int_newv(4, 0, 0, w, h);
		int rc = vips_affine(t, &u, (double) w / t->Xsize, 0, 0, (double) h / t->Ysize,
			"interpolate", bicubic, "idx", 0.5, "idy", 0.5, "odx", -0.5, "ody", -0.5,
			"oarea", area, "extend", VIPS_EXTEND_COPY, "premultiplied", TRUE, NULL);
		vips_area_unref(VIPS_AREA(area));
		g_object_unref(bicubic);
		g_object_unref(t);
		if (rc) return -1;
		t = u;
	}
	if (t->Xsize == w && t->Ysize == h) {
		*out = t;
		return 0;
	}
	int rc = vips_embed(t, out, 0, 0, w, h, "extend", VIPS_EXTEND_COPY, NULL);
	g_object_unref(t);
	return rc;
}

// aug_means gives the mean of each colour band of in over every step-th
// row: exact for step 1, and for a lazy image an estimate at a fraction of
// its cost.
int aug_means(VipsImage *in, double *means, int step) {
	VipsImage *s = in, *mem = NULL;
	if (step > 1 && vips_subsample(in, &s, 1, step, NULL)) return -1;
	if (step <= 1) g_object_ref(s);
	mem = vips_image_copy_memory(s); // a reference, for an image in memory
	g_object_unref(s);
	if (!mem) return -1;
	uint64_t sum[3] = {0, 0, 0};
	int bands = mem->Bands;
	for (int y = 0; y < mem->Ysize; y++) {
		const VipsPel *p = VIPS_IMAGE_ADDR(mem, 0, y);
		for (int x = 0; x < mem->Xsize; x++, p += bands)
			sum[0] += p[0], sum[1] += p[1], sum[2] += p[2];
	}
	double n = (double) mem->Xsize * mem->Ysize;
	for (int i = 0; i < 3; i++) means[i] = sum[i] / n;
	g_object_unref(mem);
	return 0;
}

int aug_blur(VipsImage *in, VipsImage **out, double sigma) {
	return vips_gaussblur(in, out, sigma, NULL);
}

// box_rows averages the blocks of output rows [0, oh) for B bands (see box).
#define BOX_ROWS(B)                                                                                  \
	static void box_rows_##B(VipsImage *in, VipsImage *out, int f, int step) {                      \
		const int ow = out->Xsize, n = (f + step - 1) / step;                                       \
		const uint32_t count = (uint32_t) (n * n);                                                  \
		const size_t lskip = VIPS_IMAGE_SIZEOF_LINE(in);                                            \
		for (int y = 0; y < out->Ysize; y++) {                                                      \
			const VipsPel *row = VIPS_IMAGE_ADDR(in, 0, y * f);                                     \
			VipsPel *q = VIPS_IMAGE_ADDR(out, 0, y);                                                \
			for (int x = 0; x < ow; x++, q += B) {                                                  \
				uint32_t a[B] = {0};                                                                \
				for (int dy = 0; dy < f; dy += step) {                                              \
					const VipsPel *p = row + dy * lskip + (size_t) x * f * B;                       \
					for (int dx = 0; dx < f; dx += step, p += step * B)                             \
						_Pragma("GCC unroll 4") for (int c = 0; c < B; c++) a[c] += p[c];           \
				}                                                                                   \
				_Pragma("GCC unroll 4") for (int c = 0; c < B; c++) q[c] = (VipsPel) ((a[c] + count / 2) / count); \
			}                                                                                       \
		}                                                                                           \
	}
BOX_ROWS(1)
BOX_ROWS(2)
BOX_ROWS(3)
BOX_ROWS(4)

// box makes *out, in (8-bit, at most 4 bands) shrunk f times by averaging
// each f×f block, of which every step-th pixel across and down is read;
// the last partial row and column of blocks are left out. One pass over
// the pixels in memory: vips_shrink takes ten times its time here.
static int box(VipsImage *in, VipsImage **out, int f, int step) {
	if (vips_image_wio_input(in)) return -1;
	*out = vips_image_new_memory();
	vips_image_init_fields(*out, in->Xsize / f, in->Ysize / f, in->Bands, VIPS_FORMAT_UCHAR, VIPS_CODING_NONE, in->Type, 1.0, 1.0);
	if (vips_image_write_prepare(*out)) {
		g_object_unref(*out);
		return -1;
	}
	static void (*const rows[4])(VipsImage *, VipsImage *, int, int) = {box_rows_1, box_rows_2, box_rows_3, box_rows_4};
	rows[in->Bands - 1](in, *out, f, step);
	return 0;
}

// aug_thumb encodes a WebP of in shrunk to fit size×size (never enlarged),
// and says its size. in should be in memory: it is read once more.
// NOTE: a box shrink by the whole factor, then bilinear for the rest:
// here vips_resize (lanczos3) and vips_thumbnail_image take 100 ms for a
// 1920×1080 thumbnail and 500 ms for a 4096×4096 one, and a thumbnail is
// seen small. The encoder works at its least effort (0) for the same
// reason.
int aug_thumb(VipsImage *in, int size, int quality, void **buf, size_t *len, int *w, int *h) {
	int longest = in->Xsize > in->Ysize ? in->Xsize : in->Ysize;
	int f = longest / size;
	// NOTE: from 8× down, every step-th pixel only is read and 4×4 of them
	// or more averaged (for 4096 → 480, 16 of each 8×8 block).
	int step = f >= 8 ? f / 4 : 1;
	VipsImage *s = NULL, *t = NULL;
	if (f > 1 && in->BandFmt == VIPS_FORMAT_UCHAR && in->Coding == VIPS_CODING_NONE && in->Bands <= 4) {
		if (box(in, &s, f, step)) return -1;
	} else if (f > 1) {
		if (vips_shrink(in, &s, f, f, NULL)) return -1;
	} else {
		s = in;
		g_object_ref(s);
	}
	longest = s->Xsize > s->Ysize ? s->Xsize : s->Ysize;
	if (longest > size) {
		double k = (double) size / longest;
		VipsInterpolate *bilinear = vips_interpolate_new("bilinear");
		int rc = vips_affine(s, &t, k, 0, 0, k, "interpolate", bilinear, NULL);
		g_object_unref(bilinear);
		g_object_unref(s);
		if (rc) return -1;
	} else {
		t = s;
	}
	*w = t->Xsize;
	*h = t->Ysize;
	int rc = vips_webpsave_buffer(t, buf, len, "Q", quality, "effort", 0, "strip", TRUE, NULL);
	g_object_unref(t);
	return rc;
}

// aug_save encodes; JPEG flattens alpha onto white, and keeps its colour at
// half resolution (chroma 1), at full (2), or as libvips chooses (0: full
// from quality 90 up).
int aug_save(VipsImage *in, AugFormat format, int quality, int chroma, void **buf, size_t *len) {
	if (format == AUG_SAVE_JPEG) {
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
		static const VipsForeignSubsample modes[3] = {VIPS_FOREIGN_SUBSAMPLE_AUTO, VIPS_FOREIGN_SUBSAMPLE_ON, VIPS_FOREIGN_SUBSAMPLE_OFF};
		int rc = vips_jpegsave_buffer(flat, buf, len, "Q", quality, "strip", TRUE, "subsample_mode", modes[chroma], NULL);
		g_object_unref(flat);
		return rc;
	}
	if (format == AUG_SAVE_PNG) return vips_pngsave_buffer(in, buf, len, "strip", TRUE, NULL);
	return vips_webpsave_buffer(in, buf, len, "Q", quality, "strip", TRUE, NULL);
}

// aug_turn turns in k quarter turns counter-clockwise.
int aug_turn(VipsImage *in, VipsImage **out, int k) {
	static const VipsAngle a[4] = {VIPS_ANGLE_D0, VIPS_ANGLE_D270, VIPS_ANGLE_D180, VIPS_ANGLE_D90};
	return vips_rot(in, out, a[((k % 4) + 4) % 4], NULL);
}

// aug_jpeg encodes the colour bands as JPEG and decodes them again.
int aug_jpeg(VipsImage *in, VipsImage **out, int quality) {
	VipsImage *t[4] = {NULL};
	void *buf = NULL;
	size_t len;
	int rc = -1;
	if (vips_extract_band(in, &t[0], 0, "n", 3, NULL)) goto done;
	if (vips_jpegsave_buffer(t[0], &buf, &len, "Q", quality, "strip", TRUE, NULL)) goto done;
	if (vips_jpegload_buffer(buf, len, &t[1], NULL)) goto done;
	t[2] = vips_image_copy_memory(t[1]);
	if (!t[2]) goto done;
	if (in->Bands > 3) {
		if (vips_extract_band(in, &t[3], 3, "n", in->Bands - 3, NULL)) goto done;
		if (vips_bandjoin2(t[2], t[3], out, NULL)) goto done;
	} else {
		*out = t[2];
		t[2] = NULL;
	}
	rc = 0;
done:
	g_free(buf);
	for (int i = 0; i < 4; i++) if (t[i]) g_object_unref(t[i]);
	return rc;
}

// aug_shrink scales by scale, then back to the size it had.
int aug_shrink(VipsImage *in, VipsImage **out, double scale) {
	VipsImage *t = NULL;
	if (vips_resize(in, &t, scale, "kernel", getenv("AUG_K") ? atoi(getenv("AUG_K")) : VIPS_KERNEL_LANCZOS3, NULL)) return -1;
	int rc = aug_resize(t, out, in->Xsize, in->Ysize);
	g_object_unref(t);
	return rc;
}

// aug_cutout draws filled rectangles on a copy.
// NOTE: vips_image_copy_memory of an image in memory (the decoded source,
// when cutout is the first op) is that image again: drawing on it would put
// the holes in every later variant. The pixels are copied into a new image.
int aug_cutout(VipsImage *in, VipsImage **out, const AugRect *holes, int n, double ink) {
	VipsImage *mem = vips_image_copy_memory(in);
	if (!mem) return -1;
	*out = vips_image_new_from_memory_copy(VIPS_IMAGE_ADDR(mem, 0, 0), VIPS_IMAGE_SIZEOF_IMAGE(mem),
		mem->Xsize, mem->Ysize, mem->Bands, mem->BandFmt);
	if (*out) (*out)->Type = mem->Type;
	g_object_unref(mem);
	if (!*out) return -1;
	double inks[4] = {ink, ink, ink, 255};
	for (int i = 0; i < n; i++) {
		const AugRect *b = holes + i;
		if (vips_draw_rect(*out, inks, in->Bands, b->x, b->y, b->w, b->h, "fill", TRUE, NULL)) {
			g_object_unref(*out);
			return -1;
		}
	}
	return 0;
}
