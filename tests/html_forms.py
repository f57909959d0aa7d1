"""Reading pages as a browser would, for the probe and the form fuzzer: the POST forms
of a page (field names, kinds, options and what the browser would send untouched) and
the same-site links and htmx addresses it offers."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class FormField:
    """One named control: its kind ("text", "select", "checkbox", ...), the values it
    offers (options, radio and checkbox values) and the values sent untouched."""

    name: str
    kind: str
    options: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    is_multiple: bool = False


@dataclass
class Form:
    method: str
    action: str  # a path on this site
    fields: dict[str, FormField] = field(default_factory=dict)

    def sent_untouched(self) -> dict[str, list[str]]:
        """What the browser sends when the form is submitted as it stands."""
        return {f.name: list(f.sent) for f in self.fields.values() if f.sent}


class _PageParser(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""
        self._textarea: FormField | None = None

    def _field(self, name: str, kind: str) -> FormField:
        assert self._form is not None
        found = self._form.fields.get(name)
        if found is None:
            found = self._form.fields[name] = FormField(name, kind)
        return found

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        for attribute in ("href", "hx-get"):
            if attribute in a and tag != "link":
                self.links.append(urljoin(self.page_path, a[attribute]))
        if tag == "form":
            action = urljoin(self.page_path, a.get("action") or self.page_path)
            self._form = Form(a.get("method", "get").lower(), urlsplit(action).path)
            self.forms.append(self._form)
            return
        if self._form is None or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._option = (a.get("value"), "selected" in a)
                self._option_text = ""
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            control = self._field(name, kind)
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in ("checkbox", "radio"):
                control.options.append(value)
                control.is_multiple = kind == "checkbox"
                if "checked" in a:
                    control.sent.append(value)
            else:
                control.sent.append(value)
        elif tag == "select":
            self._select = self._field(name, "select")
            self._select.is_multiple = "multiple" in a
        elif tag == "textarea":
            self._textarea = self._field(name, "textarea")
            self._textarea.sent.append("")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.sent[-1] += data
        if self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "option" and self._option is not None and self._select:
            value, selected = self._option
            value = self._option_text.strip() if value is None else value
            self._select.options.append(value)
            if selected:
                self._select.sent.append(value)
            self._option = None
        elif tag == "select" and self._select is not None:
            select = self._select
            if not select.sent and select.options and not select.is_multiple:
                select.sent.append(select.options[0])  # a browser sends the first
            self._select = None


def page_forms(html: str, path: str) -> list[Form]:
    """The forms of a page (at `path`), with their actions as paths."""
    parser = _PageParser(path)
    parser.feed(html)
    return parser.forms


def page_links(html: str, path: str) -> list[str]:
    """Same-site addresses the page links to (href and hx-get), fragments dropped."""
    parser = _PageParser(path)
    parser.feed(html)
    found = []
    for link in parser.links:
        parts = urlsplit(link)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found
