"""The event contract, in one place and outside every function's asset: the models of what each event carries
(`models`, pydantic), the JSON Schemas generated from them (`schemas`), the rule that decides whether a changed
schema is compatible with a released one (`compatibility`), and an example event of every detail-type built by the
production code (`examples`).

The functions do not import it: they validate with msgspec at run time. The stacks (the schema registry), the event
catalog generator (`devtools.event_catalog`) and the contract tests do.
"""
