package dataset

import (
	"path"
	"strings"

	"go.yaml.in/yaml/v3"
)

// dataYAML is the part of data.yaml that is read; the file itself is kept.
type dataYAML struct {
	Path     string    `yaml:"path"`
	Train    yaml.Node `yaml:"train"`
	Val      yaml.Node `yaml:"val"`
	Test     yaml.Node `yaml:"test"`
	Names    yaml.Node `yaml:"names"`
	NC       int       `yaml:"nc"`
	KptShape []int     `yaml:"kpt_shape"`
	FlipIdx  []int     `yaml:"flip_idx"`
}

// yamlNames reads names as a list or as a map from id to name.
func yamlNames(p string, n *yaml.Node) ([]string, error) {
	switch n.Kind {
	case 0:
		return nil, nil
	case yaml.SequenceNode:
		var names []string
		if err := n.Decode(&names); err != nil {
			return nil, labelError(p, n.Line, "names must be a list of strings: %v", err)
		}
		return names, nil
	case yaml.MappingNode:
		var m map[int]string
		if err := n.Decode(&m); err != nil {
			return nil, labelError(p, n.Line, "names must map class ids to names: %v", err)
		}
		names := make([]string, len(m))
		for id, name := range m {
			if id < 0 || id >= len(m) {
				return nil, labelError(p, n.Line, "names has the id %d; ids must run from 0 to %d", id, len(m)-1)
			}
			names[id] = name
		}
		return names, nil
	}
	return nil, labelError(p, n.Line, "names must be a list or a map of class names")
}

// checkSplitPaths warns when a split path of data.yaml names no folder of
// the archive (Roboflow writes val: ../valid/images beside a val/ folder);
// the splits are read from the folders, so nothing else changes.
func (y *yoloLayout) checkSplitPaths(ds *Dataset, images map[string]*Image) {
	if y.data == nil {
		return
	}
	dirs := map[string]bool{}
	for p := range images {
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	for _, s := range []struct {
		key  string
		node *yaml.Node
	}{{"train", &y.data.Train}, {"val", &y.data.Val}, {"test", &y.data.Test}} {
		var paths []string
		switch s.node.Kind {
		case yaml.ScalarNode:
			paths = []string{s.node.Value}
		case yaml.SequenceNode:
			_ = s.node.Decode(&paths)
		}
		for _, v := range paths {
			if !dirs[resolveYAMLPath(v)] && !strings.HasSuffix(v, ".txt") {
				ds.warn(WSplitPath, y.meta.DataPath, "data.yaml says %s: %s, which names no folder of the dataset; the splits are read from its folders",
					s.key, v)
			}
		}
	}
}

// resolveYAMLPath reads a data.yaml path relative to the dataset's root:
// Roboflow's ../train/images and Ultralytics' ./images/train both mean
// the folder under the root.
func resolveYAMLPath(v string) string {
	v = strings.TrimSuffix(path.Clean(strings.ReplaceAll(v, `\`, "/")), "/")
	for strings.HasPrefix(v, "../") {
		v = v[3:]
	}
	return strings.TrimPrefix(v, "/")
}
