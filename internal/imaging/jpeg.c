#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>
#include "shim.h"

// libjpeg called directly, both ways: a JPEG read straight into memory, and
// an image encoded a band of rows at a time (for jpegbands.go).

// NOTE: libvips' JPEG loader reads through libjpeg too, but computes the
// image a strip at a time through its pipeline, then copies it to memory,
// where reading the scanlines straight into the image's memory takes less
// (BenchmarkDecodeJPEG: cardinal.jpg 9 ms against 16, large.jpg 59 against
// 71, on 2 busy cores). With the same
// libjpeg and the same settings (libjpeg's defaults: islow DCT, fancy
// upsampling) the pixels are the same bytes, as a test holds them to.

typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jmp;
} augJpegErr;

static void aug_jpeg_error_exit(j_common_ptr c) {
	longjmp(((augJpegErr *) c->err)->jmp, 1);
}

// NOTE: as libvips with fail_on warning: a warning (scan data that ends
// early, a corrupt marker) fails the decode.
static void aug_jpeg_message(j_common_ptr c, int level) {
	if (level < 0) longjmp(((augJpegErr *) c->err)->jmp, 1);
}

// decoder_errors makes e a decoder's error manager: an error or a warning
// jumps to e->jmp.
static struct jpeg_error_mgr *decoder_errors(augJpegErr *e) {
	jpeg_std_error(&e->pub);
	e->pub.error_exit = aug_jpeg_error_exit;
	e->pub.emit_message = aug_jpeg_message;
	return &e->pub;
}

// Part is the rows from to to of a JPEG's image that one decoder reads into
// mem (of the image's size once shrunk, as libvips says it: the top left
// of what libjpeg gives).
typedef struct {
	const void *buf;
	size_t len;
	int shrink, from, to;
	VipsImage *mem;
	int rc;
} Part;

// part_open starts c on p's JPEG, or returns -1 for one it does not read itself
// (CMYK, YCCK) or whose size is not mem's. c's error manager jumps on an
// error or a warning.
static int part_open(struct jpeg_decompress_struct *c, const Part *p) {
	jpeg_mem_src(c, (const unsigned char *) p->buf, p->len);
	jpeg_read_header(c, TRUE);
	if (c->jpeg_color_space == JCS_CMYK || c->jpeg_color_space == JCS_YCCK || (c->num_components != 1 && c->num_components != 3)) return -1;
	c->out_color_space = c->num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
	c->scale_num = 1;
	c->scale_denom = p->shrink;
	jpeg_start_decompress(c);
	// NOTE: libjpeg rounds a shrunk size up, libvips down.
	if ((int) c->output_width < p->mem->Xsize || (int) c->output_height < p->mem->Ysize || c->output_components != p->mem->Bands) return -1;
	return 0;
}

// part_rows reads p's rows, up to to, into p->mem, from c opened on them
// (part_open); the rows before p->from are skipped, which decodes only
// their entropy-coded data, and those past the image's are read and
// dropped.
static void part_rows(struct jpeg_decompress_struct *c, Part *p, int to, JSAMPLE *scratch) {
	const int w = p->mem->Xsize, h = p->mem->Ysize, bands = p->mem->Bands;
	if (p->from > 0) jpeg_skip_scanlines(c, p->from);
	while ((int) c->output_scanline < to) {
		JSAMPROW rows[16];
		int y = c->output_scanline, n = VIPS_MIN(16, to - y);
		for (int i = 0; i < n; i++)
			rows[i] = scratch ? scratch + (size_t) i * c->output_width * bands : VIPS_IMAGE_ADDR(p->mem, 0, y + i);
		n = jpeg_read_scanlines(c, rows, n);
		if (scratch)
			for (int i = 0; i < n && y + i < h; i++) memcpy(VIPS_IMAGE_ADDR(p->mem, 0, y + i), rows[i], (size_t) w * bands);
	}
}

// part_read decodes p: its rows, and when they are the image's last, the
// rest of the file to its end, which fails on a warning as the rows do.
static int part_read(Part *p) {
	struct jpeg_decompress_struct c;
	augJpegErr err;
	JSAMPLE *volatile scratch = NULL;
	c.err = decoder_errors(&err);
	jpeg_create_decompress(&c);
	if (setjmp(err.jmp) || part_open(&c, p)) {
		jpeg_destroy_decompress(&c);
		g_free(scratch);
		return -1;
	}
	if ((int) c.output_width > p->mem->Xsize || (int) c.output_height > p->mem->Ysize)
		scratch = g_malloc((size_t) c.output_width * p->mem->Bands * 16);
	const int last = p->to == p->mem->Ysize;
	part_rows(&c, p, last ? (int) c.output_height : p->to, scratch);
	if (last) jpeg_finish_decompress(&c);
	else jpeg_abort_decompress(&c);
	g_free(scratch);
	jpeg_destroy_decompress(&c);
	return 0;
}

static gpointer read_part(gpointer part) {
	Part *p = (Part *) part;
	p->rc = part_read(p);
	return NULL;
}

// splittable says whether buf's JPEG is worth two decoders: sequential (a
// progressive one is entropy-decoded whole before its first row), and under
// 2 bits a pixel, where the entropy-coded data is half the decode's cost or
// less (large.jpg, 0.3); over it the second decoder spends nearly a whole
// decode skipping (cardinal.jpg, 3.2) and saves nothing.
static int splittable(const void *buf, size_t len) {
	struct jpeg_decompress_struct c;
	augJpegErr err;
	c.err = decoder_errors(&err);
	jpeg_create_decompress(&c);
	if (setjmp(err.jmp)) {
		jpeg_destroy_decompress(&c);
		return 0;
	}
	jpeg_mem_src(&c, (const unsigned char *) buf, len);
	jpeg_read_header(&c, TRUE);
	int ok = !c.progressive_mode && (double) len * 8 < 2.0 * c.image_width * c.image_height;
	jpeg_destroy_decompress(&c);
	return ok;
}

// aug_jpeg_decode reads the JPEG in buf, whose header libvips has read into
// header, shrunk on load by shrink (1, 2, 4 or 8, libjpeg's DCT scaling),
// into a new memory image with header's orientation. It returns -1 for what
// it does not read itself (CMYK, YCCK, a warning, an error): the caller then
// asks libvips, which reads or refuses it as always. With split, a JPEG of
// 512 rows or more that is splittable is read by two decoders side by
// side: the second skips the rows the first reads (decoding only their
// entropy-coded data) and reads the last 3/8.
int aug_jpeg_decode(const void *buf, size_t len, int shrink, VipsImage *header, int split, VipsImage **out) {
	// NOTE: libvips gives a JPEG of 1 or 3 components as many bands, and
	// part_open checks libjpeg's output against them.
	const int bands = header->Bands, h = header->Ysize;
	if (bands != 1 && bands != 3) return -1;
	VipsImage *mem = vips_image_new_memory();
	vips_image_init_fields(mem, header->Xsize, h, bands, VIPS_FORMAT_UCHAR,
		VIPS_CODING_NONE, bands == 1 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB,
		header->Xres, header->Yres);
	if (vips_image_write_prepare(mem)) {
		g_object_unref(mem);
		return -1;
	}
	Part top = {buf, len, shrink, 0, h, mem, 0}, bottom = top;
	GThread *second = NULL;
	if (split && h >= 512 && splittable(buf, len)) {
		// NOTE: at a row of blocks (16 rows at the most).
		top.to = bottom.from = h * 5 / 8 / 16 * 16;
		second = g_thread_new("aug-jpeg", read_part, &bottom);
	}
	top.rc = part_read(&top);
	if (second) g_thread_join(second);
	if (top.rc || bottom.rc) {
		g_object_unref(mem);
		return -1;
	}
	int orientation;
	if (vips_image_get_typeof(header, VIPS_META_ORIENTATION) && !vips_image_get_int(header, VIPS_META_ORIENTATION, &orientation))
		vips_image_set_int(mem, VIPS_META_ORIENTATION, orientation);
	*out = mem;
	return 0;
}

// ---- encoding in bands ----

// augDest gathers what libjpeg writes into a growing array, which is the
// caller's to free: jpeg_mem_dest's buffer moves as it grows without
// telling, and cannot be freed after a failure.
typedef struct {
	struct jpeg_destination_mgr pub;
	GByteArray *out;
	JOCTET buf[1 << 16];
} augDest;

static void dest_init(j_compress_ptr c) {
	augDest *d = (augDest *) c->dest;
	d->pub.next_output_byte = d->buf;
	d->pub.free_in_buffer = sizeof d->buf;
}

static boolean dest_empty(j_compress_ptr c) {
	augDest *d = (augDest *) c->dest;
	g_byte_array_append(d->out, d->buf, sizeof d->buf);
	dest_init(c);
	return TRUE;
}

static void dest_term(j_compress_ptr c) {
	augDest *d = (augDest *) c->dest;
	g_byte_array_append(d->out, d->buf, sizeof d->buf - d->pub.free_in_buffer);
}

// aug_jpeg_band encodes the rows top to top + height of in (1 or 3 bands of
// 8 bits) as a JPEG of their own, as libvips' saver would encode them
// (libjpeg's defaults: islow DCT, the standard Huffman tables; the quality's
// standard quantisation; colour at half resolution when half), computing
// them through a region of in on the calling thread. *buf is g_malloc'd.
int aug_jpeg_band(VipsImage *in, int top, int height, int quality, int half, void **buf, size_t *len) {
	struct jpeg_compress_struct c;
	augJpegErr err;
	VipsRegion *volatile reg = NULL;
	augDest *dest = g_new(augDest, 1);
	dest->out = g_byte_array_new();
	dest->pub.init_destination = dest_init;
	dest->pub.empty_output_buffer = dest_empty;
	dest->pub.term_destination = dest_term;
	c.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = aug_jpeg_error_exit;
	jpeg_create_compress(&c);
	if (setjmp(err.jmp)) {
		char msg[JMSG_LENGTH_MAX];
		(*c.err->format_message)((j_common_ptr) &c, msg);
		vips_error("augment", "libjpeg: %s", msg);
		goto fail;
	}
	c.dest = &dest->pub;
	c.image_width = in->Xsize;
	c.image_height = height;
	c.input_components = in->Bands;
	c.in_color_space = in->Bands == 1 ? JCS_GRAYSCALE : JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, quality, TRUE);
	if (in->Bands == 3) {
		c.comp_info[0].h_samp_factor = c.comp_info[0].v_samp_factor = half ? 2 : 1;
		c.comp_info[1].h_samp_factor = c.comp_info[1].v_samp_factor = 1;
		c.comp_info[2].h_samp_factor = c.comp_info[2].v_samp_factor = 1;
	}
	c.write_JFIF_header = FALSE; // as libvips' saver, stripping metadata
	jpeg_start_compress(&c, TRUE);
	reg = vips_region_new(in);
	for (int y = 0; y < height; y += 64) {
		VipsRect r = {0, top + y, in->Xsize, VIPS_MIN(64, height - y)};
		if (vips_region_prepare(reg, &r)) goto fail;
		for (int i = 0; i < r.height; i++) {
			JSAMPROW row = VIPS_REGION_ADDR(reg, 0, r.top + i);
			jpeg_write_scanlines(&c, &row, 1);
		}
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	g_object_unref(reg);
	*len = dest->out->len;
	*buf = g_byte_array_free(dest->out, FALSE);
	g_free(dest);
	return 0;
fail:
	jpeg_destroy_compress(&c);
	if (reg) g_object_unref(reg);
	g_byte_array_free(dest->out, TRUE);
	g_free(dest);
	return -1;
}
