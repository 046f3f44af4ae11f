"""Application services: the use cases every front end shares.

The window (app/ui), the `ponder` commands (app/commands) and the local API
server (app/server) call these and nothing else to load a model
(`loading`), own it and queue work on it (`host`), resolve sampling
(`sampling`), run one reply stored in a conversation or not (`replies`), and
set a model up (`setup`: probe, plan, speed, first answer).
"""
