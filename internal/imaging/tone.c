#include "shim.h"

// tone applies one tone operation to an sRGB image without alpha and returns
// 8-bit output.
static int tone(VipsImage *in, VipsImage **out, AugTone op, const double *p) {
	VipsImage *t[8] = {NULL};
	int rc = -1;
	switch (op) {
	case AUG_TONE_GAMMA: // 255·(x/255)^(1/g)
		if (vips_linear1(in, &t[0], 1.0 / 255, 0, NULL)) goto done;
		if (vips_math2_const1(t[0], &t[1], VIPS_OPERATION_MATH2_POW, 1.0 / p[0], NULL)) goto done;
		if (vips_linear1(t[1], &t[2], 255, 0, NULL)) goto done;
		if (vips_cast(t[2], out, VIPS_FORMAT_UCHAR, NULL)) goto done;
		break;
	case AUG_TONE_INVERT:
		if (vips_invert(in, out, NULL)) goto done;
		break;
	case AUG_TONE_SOLARIZE:
		if (vips_relational_const1(in, &t[0], VIPS_OPERATION_RELATIONAL_MOREEQ, p[0], NULL)) goto done;
		if (vips_invert(in, &t[1], NULL)) goto done;
		if (vips_ifthenelse(t[0], t[1], in, out, NULL)) goto done;
		break;
	case AUG_TONE_POSTERIZE:
		if (vips_boolean_const1(in, &t[0], VIPS_OPERATION_BOOLEAN_AND, (double) (0xff & (0xff << (8 - (int) p[0]))), NULL)) goto done;
		if (vips_cast(t[0], out, VIPS_FORMAT_UCHAR, NULL)) goto done;
		break;
	case AUG_TONE_EQUALIZE:
		if (vips_hist_equal(in, out, NULL)) goto done;
		break;
	case AUG_TONE_AUTOCONTRAST: { // per channel: stretch [min, max] to [0, 255]
		double a[3], b[3];
		if (vips_stats(in, &t[0], NULL)) goto done; // row 1 + i: band i; columns min, max, …
		if (!(t[1] = vips_image_copy_memory(t[0]))) goto done;
		for (int i = 0; i < in->Bands; i++) {
			double lo = *VIPS_MATRIX(t[1], 0, i + 1), hi = *VIPS_MATRIX(t[1], 1, i + 1);
			a[i] = hi > lo ? 255.0 / (hi - lo) : 1;
			b[i] = hi > lo ? -lo * a[i] : 0;
		}
		if (vips_linear(in, &t[2], a, b, in->Bands, NULL)) goto done;
		if (vips_cast(t[2], out, VIPS_FORMAT_UCHAR, NULL)) goto done;
		break;
	}
	case AUG_TONE_SHUFFLE:
		for (int i = 0; i < 3; i++)
			if (vips_extract_band(in, &t[i], (int) p[i], NULL)) goto done;
		if (vips_bandjoin(t, out, 3, NULL)) goto done;
		(*out)->Type = VIPS_INTERPRETATION_sRGB;
		break;
	case AUG_TONE_SHARPEN: // (1 + amount)·in − amount·blur(in)
		if (vips_gaussblur(in, &t[0], p[0], NULL)) goto done;
		if (vips_linear1(in, &t[1], 1 + p[1], 0, NULL)) goto done;
		if (vips_linear1(t[0], &t[2], -p[1], 0, NULL)) goto done;
		if (vips_add(t[1], t[2], &t[3], NULL)) goto done;
		if (vips_cast(t[3], out, VIPS_FORMAT_UCHAR, NULL)) goto done;
		break;
	default:
		vips_error("augment", "unknown tone operation %d", op);
		goto done;
	}
	rc = 0;
done:
	for (int i = 0; i < 8; i++) if (t[i]) g_object_unref(t[i]);
	return rc;
}

// aug_tone runs a tone operation on the colour bands and puts any alpha band
// back unchanged.
int aug_tone(VipsImage *in, VipsImage **out, AugTone op, const AugArgs *args) {
	const double *p = args->v;
	if (in->Bands == 3) return tone(in, out, op, p);
	VipsImage *t[3] = {NULL};
	int rc = -1;
	if (vips_extract_band(in, &t[0], 0, "n", 3, NULL)) goto done;
	if (vips_extract_band(in, &t[1], 3, "n", in->Bands - 3, NULL)) goto done;
	if (tone(t[0], &t[2], op, p)) goto done;
	if (vips_bandjoin2(t[2], t[1], out, NULL)) goto done;
	rc = 0;
done:
	for (int i = 0; i < 3; i++) if (t[i]) g_object_unref(t[i]);
	return rc;
}
