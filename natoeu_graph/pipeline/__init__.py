"""The pipeline that turns files into a validated, reasoned graph.

``parse`` (the project's own Turtle files, with errors that name file and line),
``parse_external`` (untrusted files given with --with: caps, no remote contexts, term checks),
``validate`` (SHACL by pyshacl), ``incremental`` (SHACL again only for what an edit can
change), ``terms`` (terms no vocabulary defines), ``locate`` (the file and line of a node),
``reason`` (OWL RL engines), ``build`` (parse -> validate -> reason, cached), ``memo`` (results
remembered beside the cache, keyed by what they depend on).
May import: core, sparql.
"""
