"""`natoeu site`: the graph as a folder of static files that any web host (or a disk) serves.

``links`` (the server's paths as file names, relative from each page), ``write`` (every page
and document, rendered by the server's own renderer, the dumps, the search index, the timeline,
the changes page; written beside the target and switched in whole), ``htaccess`` (Apache
rules: media types and headers for the site, and the w3id.org redirects with content
negotiation); ``static/`` holds the site's scripts and the vendored Oxigraph WebAssembly build
that runs SPARQL in the reader's browser.
May import: core, sparql, pipeline, stores, outputs, server.
"""
