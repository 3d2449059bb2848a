"""CommonMark to HTML by cmark-gfm, the reference implementation in C, with GitHub's autolinks.

The library comes compiled for every platform in the ``cmarkgfm`` wheels. Its Python wrapper
never frees what the library allocates (the document tree and the HTML string: about 14 KB
per render of a 3 KB body, for as long as the process lives), so the few library functions a
render needs are called here directly, and everything they allocate is freed.

Autolinks: addresses with a scheme or "www." and e-mail addresses become links, as WordPress
and GitHub make them; a bare host name ("zeitung.de") stays text. Raw HTML is passed through
(imported WordPress posts carry it): the caller sanitises the result.

One render at a time: attaching an extension to a parser, and freeing the parser, change
cmark-gfm's table of characters that start inline syntax, which all parsers share. Renders
in several threads at once left out some autolinks.
"""

from threading import Lock
from typing import Any

import cffi
from cmarkgfm import _cmark as compiled

_ffi = cffi.FFI()
_ffi.cdef(
    """
    typedef struct cmark_node cmark_node;
    typedef struct cmark_parser cmark_parser;
    typedef struct cmark_syntax_extension cmark_syntax_extension;
    typedef struct cmark_llist cmark_llist;

    void cmark_gfm_core_extensions_ensure_registered(void);
    cmark_syntax_extension *cmark_find_syntax_extension(const char *name);
    cmark_parser *cmark_parser_new(int options);
    int cmark_parser_attach_syntax_extension(cmark_parser *parser,
                                             cmark_syntax_extension *extension);
    void cmark_parser_feed(cmark_parser *parser, const char *buffer, size_t len);
    cmark_node *cmark_parser_finish(cmark_parser *parser);
    cmark_llist *cmark_parser_get_syntax_extensions(cmark_parser *parser);
    char *cmark_render_html(cmark_node *root, int options, cmark_llist *extensions);
    void cmark_node_free(cmark_node *node);
    void cmark_parser_free(cmark_parser *parser);
    void free(void *pointer);
    """
)
_cmark: Any = _ffi.dlopen(compiled.__file__)
# The HTML string comes from the library's default allocator: the C library's calloc.
_libc: Any = _ffi.dlopen(None)

_UNSAFE = compiled.lib.CMARK_OPT_UNSAFE  # raw HTML through, as written
_cmark.cmark_gfm_core_extensions_ensure_registered()
_AUTOLINK = _cmark.cmark_find_syntax_extension(b"autolink")
if _AUTOLINK == _ffi.NULL:
    raise ImportError("cmark-gfm has no autolink extension")
_ONE_AT_A_TIME = Lock()


def markdown_to_html(text: str) -> str:
    """``text`` rendered as CommonMark with autolinks; raw HTML kept (not yet sanitised)."""
    source = text.encode()
    with _ONE_AT_A_TIME:
        return _render(source)


def _render(source: bytes) -> str:
    parser = _cmark.cmark_parser_new(_UNSAFE)
    try:
        _cmark.cmark_parser_attach_syntax_extension(parser, _AUTOLINK)
        _cmark.cmark_parser_feed(parser, source, len(source))
        document = _cmark.cmark_parser_finish(parser)
        try:
            extensions = _cmark.cmark_parser_get_syntax_extensions(parser)
            html = _cmark.cmark_render_html(document, _UNSAFE, extensions)
            try:
                rendered = _ffi.string(html)
                assert isinstance(rendered, bytes)  # a char *, not a wchar_t *
                return rendered.decode()
            finally:
                _libc.free(html)
        finally:
            _cmark.cmark_node_free(document)
    finally:
        _cmark.cmark_parser_free(parser)
