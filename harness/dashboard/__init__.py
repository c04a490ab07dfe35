"""The human-in-the-loop dashboard: a web page over a run directory (``fmagent dashboard``).

``server.create_app`` builds the app, ``server.serve`` runs it with uvicorn; ``db`` holds the
read-only queries and the few writes (instructions, code interventions) it and the CLI share.
"""
