#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>
#include "shim.h"

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

// aug_jpeg_decode reads the JPEG in buf, whose header libvips has read into
// header, shrunk on load by shrink (1, 2, 4 or 8, libjpeg's DCT scaling),
// into a new memory image with header's orientation. It returns -1 for what
// it does not read itself (CMYK, YCCK, a warning, an error): the caller then
// asks libvips, which reads or refuses it as always.
int aug_jpeg_decode(const void *buf, size_t len, int shrink, VipsImage *header, VipsImage **out) {
	struct jpeg_decompress_struct c;
	augJpegErr err;
	VipsImage *volatile mem = NULL;
	c.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = aug_jpeg_error_exit;
	err.pub.emit_message = aug_jpeg_message;
	jpeg_create_decompress(&c);
	JSAMPLE *volatile scratch = NULL;
	if (setjmp(err.jmp)) {
		jpeg_destroy_decompress(&c);
		if (mem) g_object_unref(mem);
		g_free(scratch);
		return -1;
	}
	jpeg_mem_src(&c, (const unsigned char *) buf, len);
	jpeg_read_header(&c, TRUE);
	if (c.jpeg_color_space == JCS_CMYK || c.jpeg_color_space == JCS_YCCK || (c.num_components != 1 && c.num_components != 3)) {
		jpeg_destroy_decompress(&c);
		return -1;
	}
	c.out_color_space = c.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
	c.scale_num = 1;
	c.scale_denom = shrink;
	jpeg_start_decompress(&c);
	// NOTE: libjpeg rounds a shrunk size up, libvips down: the image is
	// header's size, the top left of what libjpeg gives.
	int w = header->Xsize, h = header->Ysize, bands = c.output_components;
	if ((int) c.output_width < w || (int) c.output_height < h) {
		jpeg_destroy_decompress(&c);
		return -1;
	}
	mem = vips_image_new_memory();
	vips_image_init_fields(mem, w, h, bands, VIPS_FORMAT_UCHAR,
		VIPS_CODING_NONE, c.output_components == 1 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB,
		header->Xres, header->Yres);
	if (vips_image_write_prepare(mem)) {
		jpeg_destroy_decompress(&c);
		g_object_unref(mem);
		return -1;
	}
	if ((int) c.output_width > w || (int) c.output_height > h) scratch = g_malloc((size_t) c.output_width * bands * 16);
	while (c.output_scanline < c.output_height) {
		JSAMPROW rows[16];
		int y = c.output_scanline, n = VIPS_MIN(16, (int) (c.output_height - y));
		for (int i = 0; i < n; i++)
			rows[i] = scratch ? scratch + (size_t) i * c.output_width * bands : VIPS_IMAGE_ADDR(mem, 0, y + i);
		n = jpeg_read_scanlines(&c, rows, n);
		if (scratch)
			for (int i = 0; i < n && y + i < h; i++) memcpy(VIPS_IMAGE_ADDR(mem, 0, y + i), rows[i], (size_t) w * bands);
	}
	g_free(scratch);
	jpeg_finish_decompress(&c);
	jpeg_destroy_decompress(&c);
	int orientation;
	if (vips_image_get_typeof(header, VIPS_META_ORIENTATION) && !vips_image_get_int(header, VIPS_META_ORIENTATION, &orientation))
		vips_image_set_int(mem, VIPS_META_ORIENTATION, orientation);
	*out = mem;
	return 0;
}
