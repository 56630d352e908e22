"""`natoeu serve`: a read-only SPARQL 1.1 Protocol endpoint and Linked Data server.

Modules, one job each: ``config`` (limits), ``protocol`` (media types, Accept negotiation,
errors), ``connections`` (request-head and write deadlines, connection caps, answers sent in
slices), ``clients`` (who a client is: an address or a local network), ``descriptors``
(open-files limit, failed accepts), ``pool`` (forked workers
killed at their deadline), ``worker`` (what a worker runs), ``sandbox`` (no file, network or
process access in a worker), ``dataset`` (the RDF dataset and what a request may select),
``formats`` (capped result serialisation), ``cache`` (answers kept while serving),
``engines`` (Oxigraph for ad-hoc queries and for the canned queries proven to answer as rdflib
does), ``adhoc`` (ad-hoc queries on Oxigraph under the same policy), ``fairness``
(requests take turns in the event loop, lightest client first),
``service`` (SPARQL Service Description), ``entity`` (descriptions of IRIs), ``pages`` (HTML),
``render`` (pages rendered in workers), ``querypage`` (examples and prefixes for the query
page, which runs the YASGUI vendored in static/yasgui/), ``app`` (routes; it documents why IRIs
answer 200 + Vary: Accept).
May import: core, sparql, pipeline, outputs, stores.
"""

from .app import create_app, serve
from .config import Limits

__all__ = ["Limits", "create_app", "serve"]
