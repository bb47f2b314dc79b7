// Package labels moves a source's labels — boxes, polygons, keypoints and a
// semantic mask — through the geometric steps of a variant, exactly as the
// renderer moves its pixels: both go through the same geom.Step maps, the
// pixels sampling output→input, the labels mapped input→output. It also
// reads and checks the labels of a request. Pure Go.
//
// Rules (the contract's "Labels" section):
//   - coordinates are float pixels with pixel edges at 0 and W;
//   - outlines are clipped as polygons to each image on the way (a crop
//     followed by a rotation that brings the area back keeps the crop), a box
//     with an outline becomes the bounds of its clipped outline, a box alone
//     the bounds of its four moved corners, clipped;
//   - keypoints keep their slots: one that leaves an image becomes
//     [0, 0, 0]; a mirroring map (negative Jacobian) swaps the flip pairs;
//   - cutout marks keypoints under a hole hidden (v 2 → 1);
//   - masks are sampled nearest-neighbour through the same steps, and what
//     no source pixel covers takes mask_fill;
//   - an object is dropped, with the reason, when its visible part is under
//     min_visibility, its area under min_area or a side under min_size.
package labels
