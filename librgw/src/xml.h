// xml.h - the small XML writer and reader the protocols need.
//
// The writer produces documents byte-for-byte in AWS's shape (no
// whitespace between elements).  The reader parses the few request bodies S3
// has (CreateBucketConfiguration, Delete, CompleteMultipartUpload) into a
// tree; it rejects DTDs and entities other than the five predefined ones and
// character references, so no input can make it expand or fetch anything.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rgw {

class XmlWriter {
 public:
  // How element() writes text.  XML 1.0 cannot carry most C0 control
  // characters, not even as character references (a parser such as expat,
  // boto3's, refuses "&#1;" as it refuses a raw 0x01).  Text::xml (the
  // default) writes each character XML 1.0 cannot hold (C0 controls but TAB,
  // LF and CR; U+FFFE, U+FFFF), and each byte that is not well-formed UTF-8,
  // as U+FFFD, so the document always parses.
  // Text::verbatim writes them as they are: for S3 listings, whose keys a
  // client asks to have percent-encoded (encoding-type=url) and must not
  // see silently changed.
  enum class Text { xml, verbatim };
  explicit XmlWriter(Text text = Text::xml);  // starts with the XML declaration
  // Opens the document element in the namespace xmlns (S3: kS3Namespace).
  XmlWriter& root(std::string_view name, std::string_view xmlns);
  XmlWriter& open(std::string_view name);
  XmlWriter& close(std::string_view name);
  // <name>escaped text</name>
  XmlWriter& element(std::string_view name, std::string_view text);
  // (A string literal would otherwise pick the bool overload.)
  XmlWriter& element(std::string_view name, const char* text) {
    return element(name, std::string_view(text));
  }
  XmlWriter& element(std::string_view name, uint64_t value);
  XmlWriter& element(std::string_view name, bool value);
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  Text text_;
};

// The five predefined entities and CR as "&#13;"; every other byte as it is.
std::string xml_escape(std::string_view text);
// xml_escape, and U+FFFD for what XML 1.0 cannot hold (XmlWriter::Text::xml).
std::string xml_escape_text(std::string_view text);

struct XmlNode {
  std::string name;  // local name (namespace prefix dropped)
  std::string text;  // concatenated character data directly inside
  std::vector<std::unique_ptr<XmlNode>> children;

  const XmlNode* child(std::string_view n) const;
  std::vector<const XmlNode*> children_named(std::string_view n) const;
};

// Parses a document; nullptr (and *error set) if it is not well-formed or
// nests deeper than 32 levels.
std::unique_ptr<XmlNode> parse_xml(std::string_view doc, std::string* error);

}  // namespace rgw
