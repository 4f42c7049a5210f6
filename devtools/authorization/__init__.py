"""An offline authorization check over the synthesized app: every call one AWS service makes to another for the app,
evaluated against the caller's identity policies and the callee's resource policy (docs/decisions.md, decision 24)."""
