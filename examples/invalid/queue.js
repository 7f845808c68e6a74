// A stub: the example files beside it name this script, and a script orch validates must exist.
