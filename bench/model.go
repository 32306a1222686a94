package bench

import (
	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/kv/costmodel"
)

// Model is what an engine's textbook cost model predicts for one phase of
// a run, shown beside the measured figures ("model" rows of the table,
// model_* columns of the CSV, dashed lines on sweep charts). The engine
// owns its model (kvlab.EngineInfo.Model; lsm.Predict, btree.Predict).
type Model = costmodel.Prediction

// ModelInput is what a cost model is told about a phase.
type ModelInput = costmodel.Input

// Predict returns the prediction of the named engine's cost model for a
// phase, or nil when the engine has none (the memory engine, the peers) or
// is not registered. An error means the model could not read the settings.
func Predict(engine string, in ModelInput) (*Model, error) {
	info, err := kvlab.Lookup(engine)
	if err != nil || info.Model == nil {
		return nil, nil
	}
	return info.Model(in)
}

// HasModel reports whether the named engine has a cost model.
func HasModel(engine string) bool {
	info, err := kvlab.Lookup(engine)
	return err == nil && info.Model != nil
}
