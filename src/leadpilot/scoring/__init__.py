"""Lead scoring: rules (points in leadpilot.yaml, run in the engine) and predictive models
(features in the engine, maths in scikit-learn), evaluated against outcomes."""
