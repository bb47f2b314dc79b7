module github.com/augment-ml/augment

go 1.26
