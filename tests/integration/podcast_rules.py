#!/usr/bin/env python3
"""Check an RSS feed (stdin) against the RSS 2.0 and podcast-directory rules (Apple Podcasts'
required tags, podcastindex.org's namespace). Prints JSON: {"errors": [...], "items": [...],
"image": URL}; the caller fetches the URLs (enclosures, transcripts, artwork) and checks them.
Uses only the Python standard library (xml.etree: the feed must be well-formed XML)."""
import json
import re
import sys
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

IT = '{http://www.itunes.com/dtds/podcast-1.0.dtd}'
PC = '{https://podcastindex.org/namespace/1.0}'
# Apple Podcasts' top-level categories (the subset a news site could use is enough to check
# that the text is one of Apple's, not a free-form word).
APPLE = {'News': {'Daily News', 'Politics', 'Business News', 'Tech News', 'Entertainment News',
                  'Sports News', 'News Commentary'}}
RFC822 = re.compile(r'^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|'
                    r'Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (\+0000|GMT)$')

errors = []
out = {'errors': errors, 'items': []}
try:
    root = ET.fromstring(sys.stdin.buffer.read())
except ET.ParseError as e:
    print(json.dumps({'errors': ['not well-formed XML: %s' % e], 'items': []}))
    sys.exit(0)

def need(el, tag, where):
    x = el.find(tag)
    if x is None or (x.text is None and not x.attrib and len(x) == 0):
        errors.append('%s: missing %s' % (where, tag.replace(IT, 'itunes:').replace(PC, 'podcast:')))
    return x

if root.tag != 'rss' or root.get('version') != '2.0':
    errors.append('root is not <rss version="2.0">')
ch = root.find('channel')
if ch is None:
    errors.append('no channel')
    print(json.dumps(out))
    sys.exit(0)
for t in ('title', 'link', 'description', 'language', IT + 'author', IT + 'explicit',
          IT + 'image', IT + 'category', IT + 'owner', IT + 'summary'):
    need(ch, t, 'channel')
ex = ch.findtext(IT + 'explicit')
if ex not in ('true', 'false'):
    errors.append('channel: itunes:explicit must be true or false, not %r' % ex)
img = ch.find(IT + 'image')
if img is not None:
    href = img.get('href', '')
    if not re.match(r'^https?://.+\.(png|jpg|jpeg)(\?.*)?$', href):
        errors.append('channel: itunes:image href must be an absolute .png/.jpg URL: %r' % href)
    out['image'] = href
cat = ch.find(IT + 'category')
if cat is not None:
    top = cat.get('text')
    if top not in APPLE:
        errors.append('channel: itunes:category %r is not an Apple category' % top)
    for sub in cat.findall(IT + 'category'):
        if sub.get('text') not in APPLE.get(top, ()):
            errors.append('channel: itunes:category %r is not under %r' % (sub.get('text'), top))
own = ch.find(IT + 'owner')
if own is not None and own.find(IT + 'name') is None:
    errors.append('channel: itunes:owner without itunes:name')
guids = set()
items = ch.findall('item')
if not items:
    errors.append('channel: no items')
for i, it in enumerate(items):
    w = 'item %d' % (i + 1)
    for t in ('title', 'guid', 'pubDate', 'link', 'description', IT + 'explicit'):
        need(it, t, w)
    g = it.findtext('guid')
    if g in guids:
        errors.append('%s: guid %r repeated' % (w, g))
    guids.add(g)
    pd = it.findtext('pubDate') or ''
    if not RFC822.match(pd):
        errors.append('%s: pubDate %r is not RFC 822' % (w, pd))
    else:
        parsedate_to_datetime(pd)
    rec = {'title': it.findtext('title'), 'transcripts': []}
    enc = it.find('enclosure')
    if enc is not None:
        try:
            n = int(enc.get('length', ''))
        except ValueError:
            n = -1
        if n <= 0:
            errors.append('%s: enclosure length %r' % (w, enc.get('length')))
        if not (enc.get('type') or '').startswith('audio/'):
            errors.append('%s: enclosure type %r' % (w, enc.get('type')))
        if not re.match(r'^https?://', enc.get('url', '')):
            errors.append('%s: enclosure url %r is not absolute' % (w, enc.get('url')))
        dur = it.findtext(IT + 'duration')
        if dur is None or not re.match(r'^(\d+|\d+:[0-5]\d:[0-5]\d|[0-5]?\d:[0-5]\d)$', dur):
            errors.append('%s: itunes:duration %r' % (w, dur))
        rec['enclosure'] = {'url': enc.get('url'), 'length': n, 'type': enc.get('type')}
        rec['duration'] = dur
    for tr in it.findall(PC + 'transcript'):
        if not tr.get('url') or not tr.get('type'):
            errors.append('%s: podcast:transcript needs url and type' % w)
        rec['transcripts'].append({'url': tr.get('url'), 'type': tr.get('type')})
    out['items'].append(rec)
print(json.dumps(out))
