package dataset

import (
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

// TestPlanSplits: a split is named the ways datasets spell it; a dataset
// without splits is all training data; a split the dataset lacks is
// refused by name, except the default, which only warns.
func TestPlanSplits(t *testing.T) {
	for _, tc := range []struct {
		asked []string
		split string
		want  bool
	}{
		{[]string{"train"}, "train", true},
		{[]string{"train"}, "", true},
		{[]string{"train"}, "train2017", true},
		{[]string{"train"}, "training", true},
		{[]string{"train"}, "valid", false},
		{[]string{"val"}, "validation", true},
		{[]string{"val"}, "valid", true},
		{[]string{"VAL"}, "val2017", true},
		{[]string{"test"}, "val", false},
		{[]string{"extra"}, "extra", true},
		{[]string{"extra"}, "train", false},
	} {
		if got := (Plan{AugmentSplits: tc.asked}).Augments(tc.split); got != tc.want {
			t.Errorf("%v augments %q: %v, want %v", tc.asked, tc.split, got, tc.want)
		}
	}
	ds := &Dataset{Format: YOLO, Splits: []string{"valid", "test"}, Images: []*Image{{Path: "valid/images/a.jpg", Split: "valid"}}}
	_, warnings, err := DefaultPlan().Check(ds, 2)
	if err != nil || len(warnings) != 1 || warnings[0].Code != WNothingAugmented {
		t.Errorf("the default on a dataset without train: %v, %v", warnings, err)
	}
	_, _, err = Plan{AugmentSplits: []string{"valid", "tset"}}.Check(ds, 2)
	if domain.ErrorCode(err) != domain.EInvalidSpec || !strings.Contains(domain.ErrorMessage(err), `"tset"`) ||
		!strings.Contains(domain.ErrorMessage(err), "valid, test") {
		t.Errorf("a split the dataset lacks: %v", err)
	}
	if _, w, err := (Plan{AugmentSplits: []string{"valid"}}).Check(ds, 0); err != nil || len(w) != 0 {
		t.Errorf("a baseline warns of nothing: %v, %v", w, err)
	}
}
