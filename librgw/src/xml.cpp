// xml.cpp - XML writer and a strict, minimal reader (see xml.h).
#include "xml.h"

#include <cstdint>
#include <string>

namespace rgw {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#13;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

namespace {

// The length of the UTF-8 sequence at s[i] (1 for a byte that starts none
// that is well-formed), and in *ok whether XML 1.0's Char production admits
// its code point (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
// [#x10000-#x10FFFF]).
size_t xml_char_at(std::string_view s, size_t i, bool* ok) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  *ok = false;
  if (c < 0x80) {
    *ok = c >= 0x20 || c == '\t' || c == '\n' || c == '\r';
    return 1;
  }
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, cp = c & 0x07;
  } else {
    return 1;
  }
  if (i + n > s.size()) return 1;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 1;
    cp = cp << 6 | (b(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 1;
  *ok = cp != 0xFFFE && cp != 0xFFFF;
  return n;
}

}  // namespace

std::string xml_escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    bool ok;
    const size_t n = xml_char_at(text, i, &ok);
    if (!ok)
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
    else if (n > 1)
      out.append(text.substr(i, n));
    else
      out += xml_escape(text.substr(i, 1));
    i += n;
  }
  return out;
}

XmlWriter::XmlWriter(Text text)
    : out_("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), text_(text) {}

XmlWriter& XmlWriter::root(std::string_view name, std::string_view xmlns) {
  out_ += '<';
  out_ += name;
  out_ += " xmlns=\"";
  out_ += xmlns;
  out_ += "\">";
  return *this;
}

XmlWriter& XmlWriter::open(std::string_view name) {
  out_ += '<';
  out_ += name;
  out_ += '>';
  return *this;
}

XmlWriter& XmlWriter::close(std::string_view name) {
  out_ += "</";
  out_ += name;
  out_ += '>';
  return *this;
}

XmlWriter& XmlWriter::element(std::string_view name, std::string_view text) {
  open(name);
  out_ += text_ == Text::verbatim ? xml_escape(text) : xml_escape_text(text);
  return close(name);
}

XmlWriter& XmlWriter::element(std::string_view name, uint64_t value) {
  return element(name, std::to_string(value));
}

XmlWriter& XmlWriter::element(std::string_view name, bool value) {
  return element(name, value ? std::string_view("true") : std::string_view("false"));
}

const XmlNode* XmlNode::child(std::string_view n) const {
  for (const auto& c : children)
    if (c->name == n) return c.get();
  return nullptr;
}

std::vector<const XmlNode*> XmlNode::children_named(std::string_view n) const {
  std::vector<const XmlNode*> out;
  for (const auto& c : children)
    if (c->name == n) out.push_back(c.get());
  return out;
}

namespace {

class Parser {
 public:
  explicit Parser(std::string_view doc) : s_(doc) {}

  std::unique_ptr<XmlNode> document(std::string* error) {
    try {
      skip_prolog();
      auto root = element(0);
      skip_misc();
      if (pos_ != s_.size()) fail("content after the document element");
      return root;
    } catch (const std::string& e) {
      if (error) *error = e;
      return nullptr;
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::string(what + " at offset " + std::to_string(pos_));
  }
  bool starts(std::string_view t) const { return s_.substr(pos_, t.size()) == t; }
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n'))
      ++pos_;
  }
  void skip_until(std::string_view end) {
    size_t e = s_.find(end, pos_);
    if (e == std::string_view::npos) fail("unterminated construct");
    pos_ = e + end.size();
  }
  void skip_misc() {
    for (;;) {
      skip_ws();
      if (starts("<!--"))
        skip_until("-->");
      else if (starts("<?"))
        skip_until("?>");
      else
        return;
    }
  }
  void skip_prolog() {
    if (starts("\xEF\xBB\xBF")) pos_ += 3;
    skip_misc();
    if (starts("<!")) fail("DTDs are not accepted");
  }
  std::string name() {
    size_t b = pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>' || c == '/' || c == '=')
        break;
      ++pos_;
    }
    if (b == pos_) fail("expected a name");
    return std::string(s_.substr(b, pos_ - b));
  }
  static std::string local(const std::string& qname) {
    size_t colon = qname.find(':');
    return colon == std::string::npos ? qname : qname.substr(colon + 1);
  }
  void append_utf8(std::string& out, uint32_t cp) {
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) fail("bad character reference");
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  void entity(std::string& out) {
    size_t semi = s_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12) fail("bad entity");
    std::string_view ent = s_.substr(pos_ + 1, semi - pos_ - 1);
    pos_ = semi + 1;
    if (ent == "amp")
      out.push_back('&');
    else if (ent == "lt")
      out.push_back('<');
    else if (ent == "gt")
      out.push_back('>');
    else if (ent == "quot")
      out.push_back('"');
    else if (ent == "apos")
      out.push_back('\'');
    else if (ent.size() > 1 && ent[0] == '#') {
      bool hex = ent[1] == 'x';
      std::string digits(ent.substr(hex ? 2 : 1));
      if (digits.empty() || digits.size() > 8) fail("bad character reference");
      uint32_t cp = 0;
      for (char c : digits) {
        int v;
        if (c >= '0' && c <= '9')
          v = c - '0';
        else if (hex && c >= 'a' && c <= 'f')
          v = c - 'a' + 10;
        else if (hex && c >= 'A' && c <= 'F')
          v = c - 'A' + 10;
        else
          fail("bad character reference");
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
      }
      append_utf8(out, cp);
    } else {
      fail("unknown entity");
    }
  }
  void attributes() {
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size()) fail("unterminated tag");
      if (s_[pos_] == '>' || s_[pos_] == '/') return;
      name();
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '=') fail("expected '='");
      ++pos_;
      skip_ws();
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) fail("expected a quote");
      char q = s_[pos_++];
      size_t e = s_.find(q, pos_);
      if (e == std::string_view::npos) fail("unterminated attribute");
      pos_ = e + 1;
    }
  }
  std::unique_ptr<XmlNode> element(int depth) {
    if (depth > 32) fail("nesting too deep");
    if (!starts("<")) fail("expected an element");
    ++pos_;
    auto node = std::make_unique<XmlNode>();
    std::string qname = name();
    node->name = local(qname);
    attributes();
    if (starts("/>")) {
      pos_ += 2;
      return node;
    }
    ++pos_;  // '>'
    for (;;) {
      if (pos_ >= s_.size()) fail("unterminated element " + qname);
      char c = s_[pos_];
      if (c == '<') {
        if (starts("</")) {
          pos_ += 2;
          if (name() != qname) fail("mismatched end tag");
          skip_ws();
          if (!starts(">")) fail("expected '>'");
          ++pos_;
          return node;
        }
        if (starts("<!--")) {
          skip_until("-->");
        } else if (starts("<![CDATA[")) {
          size_t b = pos_ + 9;
          size_t e = s_.find("]]>", b);
          if (e == std::string_view::npos) fail("unterminated CDATA");
          node->text.append(s_.substr(b, e - b));
          pos_ = e + 3;
        } else if (starts("<?")) {
          skip_until("?>");
        } else if (starts("<!")) {
          fail("declarations are not accepted");
        } else {
          node->children.push_back(element(depth + 1));
        }
      } else if (c == '&') {
        entity(node->text);
      } else {
        node->text.push_back(c);
        ++pos_;
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<XmlNode> parse_xml(std::string_view doc, std::string* error) {
  return Parser(doc).document(error);
}

}  // namespace rgw
