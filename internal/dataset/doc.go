// Package dataset reads and writes labelled datasets in the layouts teams
// use — COCO, YOLO (Ultralytics and Roboflow), Pascal VOC, images with
// masks, ImageFolder, and plain images — through one model. It is pure Go:
// no cgo, no HTTP.
//
// # The model
//
// A [Dataset] is its images (sorted by path), its splits (train, then
// val/valid/validation, then test, then others) and one order of classes
// that every split shares (YOLO class ids index it). Each [Image] has its
// path relative to the dataset's root, its split, its ImageFolder class,
// its size as displayed (read from its header, EXIF orientation applied)
// and the size its labels declare, its SHA-256, and its objects in the
// label model of jobs ([domain.Object]: a box [x, y, w, h] in pixel edges,
// polygons as rings, COCO RLE masks, keypoint slots [x, y, v], attributes),
// plus a semantic mask file when it has one. What a format says beyond
// that model rides along so that writing the same format gives it back:
// COCO ids, categories and unknown keys, VOC difficult/truncated/pose and
// unknown elements, YOLO's data.yaml as read.
//
// # Reading
//
// [Read] takes a [Source] — a folder ([Dir]), an archive ([OpenArchive]:
// zip, tar, tar.gz) or files in memory ([Files]) — and makes two passes:
// one over the names, to find the root (a folder the archive wraps the
// dataset in) and the layout ([Detect], unless [Options].Format is set);
// one streaming pass over the bytes. Label files are parsed as they come
// (a COCO file element by element with encoding/json's Decoder), images
// are hashed and their headers read on the way past, so neither the images
// nor the archive are held in memory. The archive rules hold on every
// walk: absolute or climbing paths refuse the archive, and sizes are
// counted while decompressing ([Limits]). A label file that cannot be
// parsed is an invalid_spec error naming the file and, for text, the line;
// what leaves the dataset usable is a [Warning].
//
// # Writing
//
// A [Writer] writes a dataset, or variants of its images (an [Image] with
// Of set, placed by [VariantPath] beside its source as
// <stem>_aug<NN>.<ext>), in its own format and layout or as another:
// per-image label files as each image is added, per-split files (COCO
// JSON, data.yaml, ImageSets) on Close. It writes labels only; the caller
// writes each image's bytes where [Writer.Add] says. A source written back
// in its own layout gets its label file as read ([Image].LabelFile), and a
// COCO file that gets back only its own images is copied as read
// ([Writer].CopyFile). [Losses] lists what a conversion cannot carry and
// [CheckExport] refuses it unless allowed.
//
// # Batches
//
// A batch keeps a dataset as a [Record] (the dataset without its images,
// its [Plan]: which splits get variants, whether the originals are copied,
// the export; what reading found) and one record per image
// ([Image.Record]; the objects travel in the job's labels). [Dataset.Roles]
// says which files of the archive it stores. A [Packer] writes the result
// from them, job by job: the sources copied, each variant beside its
// source with the labels its job recorded, the per-split files, then
// manifest.jsonl ([ManifestLine]), report.json ([Report]) and
// failures.jsonl. Semantic masks move through variants as labels.Mask; a
// colour-coded mask is read into class ids ([ColourMaskIDs]) and written
// back in its colours ([ColourMaskPNG]).
//
// The conventions each format gets wrong most often, and how they are read
// and written here, are in the comments of yolo.go, coco.go and voc.go.
package dataset
