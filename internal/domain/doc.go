// Package domain holds augment's nouns (jobs, variants, batches, specs), its
// error codes and the interfaces through which the adapters meet. It imports
// only the standard library.
package domain
