// Shared by the server's query page and the static site's (a classic script: it defines one
// function on window). The project's prefixes are declared for every query, by `natoeu serve`
// and by the site's engine alike, so a query may use them without PREFIX lines; YASQE's checker
// marked such a query as an error. Its tokenizer keeps the prefixes declared so far in its
// state: they start from the project's here. What the query text itself declares
// (getPrefixesFromQuery: own properties only) is unchanged, so typing "ne:" still adds its
// PREFIX line.
window.natoeuPredeclare = function (Yasgui, prefixes) {
  var CodeMirror = Yasgui.Yasqe; // Yasqe extends CodeMirror: these are CodeMirror's modes
  var factory = CodeMirror.modes && CodeMirror.modes.sparql11;
  if (!factory) return;
  var declared = Object.assign({}, prefixes);
  var withPrefixes = function (config, parserConfig) {
    var mode = factory.call(this, config, parserConfig);
    var start = mode.startState;
    mode.startState = function () {
      var state = start.apply(this, arguments);
      state.prefixes = Object.create(declared);
      return state;
    };
    return mode;
  };
  Object.keys(factory).forEach(function (k) { withPrefixes[k] = factory[k]; });
  CodeMirror.modes.sparql11 = withPrefixes;
  var fromQuery = Yasgui.Yasqe.prototype.getPrefixesFromQuery;
  Yasgui.Yasqe.prototype.getPrefixesFromQuery = function () {
    var all = fromQuery.call(this);
    var own = {};
    Object.keys(all).forEach(function (k) { own[k] = all[k]; });
    return own;
  };
};
