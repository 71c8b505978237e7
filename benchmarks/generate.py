"""A deterministic synthetic wire corpus with passage-level ground truth.

Wire stories are written from a templated news grammar (people, places, organisations,
numbers, dates and attributed quotes drawn from the word lists below); each story is then
reprinted by a varying number of outlets with the edits outlets really make (trimming,
local leads, rewritten headlines, reordered sentences, synonyms, changed numbers and
attributions, datelines, typography, boilerplate and captions, sometimes scraped twice).
Unrelated stories and *hard negatives* (same topic and cast as a story, no shared
sentences) are mixed in. Everything is drawn from one ``random.Random(seed)``, so a seed
gives byte-identical files, and documents stream to disk one line at a time.

Stories share no text by accident. The lower-cased word 6-grams of everything written so
far are kept (as hashed ints), and every sentence written for a story (wire copies,
unrelated stories, hard negatives, an outlet's own additions: local leads, rewritten
headlines, captions; and its edits of wire sentences) is drawn again while it has a
6-gram already written for another story; an outlet's version may share its own story's
text, which is the point. The ways of writing each piece of a sentence are picked with
odds that follow how often each has lately given a fresh sentence, so worn-out templates
fade as the corpus grows. Where 30 draws find no fresh sentence, the one sharing least is
kept and counted (``fresh_failures`` in ``summary.json``; none at 10,000 documents, a
few hundred at 100,000).

Files written to ``out_dir``:

``documents.jsonl``
    ``{"id", "outlet", "date", "title", "text"}``; ``text`` is the headline, a blank line,
    then paragraphs separated by blank lines. ``date`` is ISO 8601; a story's wire copy is
    always dated before its outlet versions.
``truth.jsonl``
    One passage a line: ``{"doc", "start", "end", "source_doc", "source_start",
    "source_end", "story", "group", "kind", "edit"}``; ``text[start:end]`` is the passage
    (a sentence or headline) and the source fields point at the passage it derives from.
    ``kind`` is ``derived`` (an outlet's sentence and the wire sentence it comes from),
    ``duplicate`` (a caption printed twice in one document; the source is the first copy)
    or ``boilerplate`` (site furniture; the source is its first occurrence in the corpus,
    so that first occurrence points at itself). ``group`` names the material: every
    passage with one group is a copy of the same text, so the true pairs are all pairs
    within a group (``s000012:7`` is wire sentence 7 of story ``s000012`` and its copies,
    ``s000012:h`` its headline; ``bp3`` a boilerplate text, whose ``story`` is null).
    ``edit`` is ``verbatim`` (byte-identical to the source), or the edits made, joined by
    ``+`` (``substituted``, ``number``, ``attribution``, ``shortened``, ``reordered``,
    ``case``, ``typography``; ``reordered`` alone means moved but byte-identical), or
    ``duplicate`` / ``boilerplate``. Outlet material with no source (local leads,
    rewritten headlines, single captions) has no record.
``docs_meta.jsonl``
    ``{"id", "story", "role", "outlet", "date", "topic", "source_doc", "related_story",
    "edits", "words"}``; ``role`` is ``wire``, ``version``, ``unrelated`` or
    ``hard-negative`` (``related_story`` then names the story it imitates); ``edits``
    lists what the outlet did to the whole document (``trimmed``, ``local-lead``, ...).
``summary.json``
    The parameters and counts (``fresh_failures``: sentences kept though they share a
    6-gram with another story).

Documents are written in generation order (a wire copy, then its versions). At the
defaults no content sentence shares a word 6-gram with a sentence of another story, about
5% of pairs of unrelated stories share some word 5-gram (names of organisations, mostly),
none an 8-gram, and their mean 5-gram Jaccard is 0.00006; :func:`corpus_background_rate`
measures it for any corpus.

>>> corpus = generate(20, seed=1)
>>> len(corpus.documents), corpus.documents[0]["id"]
(20, 'd000000')
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import random
import re
import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TextIO, TypeVar

__all__ = [
    "BackgroundRate",
    "GeneratedCorpus",
    "Outlet",
    "background_rate",
    "corpus_background_rate",
    "generate",
    "main",
    "ngrams",
    "sentence_overlap",
]

# --------------------------------------------------------------------------- word lists
# Plain data. The lists are large on purpose: each sentence is drawn fresh from their
# product, so unrelated stories share almost no word 5-grams by accident
# (``corpus_background_rate`` measures how few).


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _items(text: str) -> tuple[str, ...]:
    """Entries separated by ``;`` (entries may hold spaces)."""
    return tuple(" ".join(s.split()) for s in text.split(";") if s.strip())


FIRST_NAMES = _words(
    """Ana Carla Maria Olena Priya Amara Fatima Sofia Ingrid Mei Yuki Leila Nadia Grace
    Chloe Elena Hana Zanele Ruth Irina Marta Aisha Camila Lucia Freya Noura Keiko Thandiwe
    Beatriz Ewa Daniel Tomas Andriy Rahul Kwame Omar Diego Lars Wei Kenji Samir Mateo Jonas
    Pavel Marco Chidi Arjun Felipe Hamid Oleksandr Piotr Stefan Malik Rafael Emeka Takumi
    Nikos Anders Ibrahim Joao Luca Viktor Sean Patrick Miriam Helen Rosa Paula Teresa Joanna
    Eva Sara Laila Yasmin Ines Alma Dana Noa Tariq Yusuf Khalid Bogdan Dmitri Arturo Ravi
    Sunil Kofi Femi Oscar Hugo Mikael Erik Johan Elif Selin Murat Aylin Nora Lena Greta
    Abebe Chen Li Min-jun Seo-yeon Hiroshi Ayumi Nguyen Thanh Siddharth Deepa Ahmed Mona
    Karim Salma Youssef Zainab Adaeze Tunde Wanjiru Otieno Baraka Imani Lucas Gabriel
    Valentina Martina Agustin Renata Pablo Carmen Jorge Alejandro Fernanda Ricardo Bruna
    Thiago Marek Katarzyna Jakub Zofia Ondrej Petra Miklos Agnes Radu Ioana Dragan Milena
    Aleksandra Goran Ilir Arben Ruta Mindaugas Liis Kristjan Signe Bjorn Astrid Matti Aino""")

LAST_NAMES = _words(
    """Mendes Kowalski Okafor Haddad Lindqvist Tanaka Novak Fischer Moreau Rossi Silva
    Petrenko Kovalenko Nakamura Sato Kim Park Singh Sharma Patel Mensah Adeyemi Diallo
    Traore Hassan Rahman Khan Ahmadi Cohen Levi Mizrahi Ortiz Herrera Castillo Vargas
    Ramirez Delgado Navarro Romero Alvarez Jimenez Ferreira Costa Almeida Carvalho Pereira
    Santos Oliveira Lopes Ribeiro Martins Duarte Nowak Wojcik Kaminski Lewandowski
    Zielinski Szabo Horvath Nagy Toth Popescu Ionescu Georgiou Papadopoulos Dimitrov
    Ivanova Petrov Sokolova Morozov Volkov Bondarenko Shevchenko Melnyk Tkachenko Kravchenko
    Hansen Johansson Larsen Nieminen Virtanen Korhonen Jensen Nielsen Andersen Berg Dahl
    Strand Holm Eriksen Bakker Jansen Visser Smit Mulder Bos Dekker Peeters Janssens
    Maes Dubois Lefebvre Laurent Girard Bonnet Mercier Faure Rousseau Blanc Guerin Muller
    Schneider Wagner Becker Hoffmann Schulz Koch Richter Klein Wolf Neumann Braun Zimmermann
    Hartmann Kruger Lange Werner Krause Meier Lehmann Schmid Okonkwo Eze Nwosu Obi Abubakar
    Bello Musa Kariuki Mwangi Odhiambo Njoroge Banda Phiri Dlamini Nkosi Ndlovu Moyo Zulu
    Chikwanha Tshabalala Wang Zhang Liu Huang Zhao Wu Zhou Xu Sun Ma Nguyen Tran Le Pham
    Hoang Vu Dang Bui Do Ngo Yamamoto Watanabe Ito Kobayashi Kato Yoshida Yamada Sasaki
    Matsumoto Inoue Kimura Hayashi Shimizu Gupta Reddy Nair Iyer Menon Rao Das Bose
    Chatterjee Mukherjee Banerjee Kapoor Malhotra Chopra Mehta Shah Joshi Desai Kulkarni
    Pillai Aziz Karimi Hosseini Moradi Rezaei Jafari Yilmaz Kaya Demir Sahin Celik Aydin
    Ozturk Arslan Dogan Kilic Aslan Cetin Kara Koc Kurt Ozkan Simsek Burke Byrne Doyle
    Gallagher Kavanagh Keane Lynch Murphy Nolan Quinn Walsh Brennan Farrell Hughes Price""")

# Real places give the datelines ("KYIV, Ukraine — ") their look; the events are invented.
PLACES = tuple(
    tuple(p.split(", "))
    for p in _items(
        """Kyiv, Ukraine; Kharkiv, Ukraine; Warsaw, Poland; Krakow, Poland; Berlin, Germany;
        Hamburg, Germany; Paris, France; Lyon, France; Madrid, Spain; Seville, Spain;
        Lisbon, Portugal; Rome, Italy; Milan, Italy; Athens, Greece; Vienna, Austria;
        Prague, Czech Republic; Budapest, Hungary; Bucharest, Romania; Sofia, Bulgaria;
        Belgrade, Serbia; Zagreb, Croatia; Vilnius, Lithuania; Riga, Latvia; Tallinn, Estonia;
        Helsinki, Finland; Stockholm, Sweden; Oslo, Norway; Copenhagen, Denmark;
        Amsterdam, Netherlands; Brussels, Belgium; Dublin, Ireland; Manchester, England;
        Glasgow, Scotland; Cardiff, Wales; Ankara, Turkey; Istanbul, Turkey; Cairo, Egypt;
        Tunis, Tunisia; Rabat, Morocco; Lagos, Nigeria; Abuja, Nigeria; Accra, Ghana;
        Dakar, Senegal; Nairobi, Kenya; Mombasa, Kenya; Addis Ababa, Ethiopia;
        Kampala, Uganda; Kigali, Rwanda; Lusaka, Zambia; Harare, Zimbabwe;
        Johannesburg, South Africa; Cape Town, South Africa; Beirut, Lebanon; Amman, Jordan;
        Baghdad, Iraq; Riyadh, Saudi Arabia; Dubai, United Arab Emirates; Doha, Qatar;
        Karachi, Pakistan; Lahore, Pakistan; New Delhi, India; Mumbai, India;
        Bengaluru, India; Dhaka, Bangladesh; Colombo, Sri Lanka; Kathmandu, Nepal;
        Bangkok, Thailand; Hanoi, Vietnam; Manila, Philippines; Jakarta, Indonesia;
        Kuala Lumpur, Malaysia; Singapore, Singapore; Seoul, South Korea; Busan, South Korea;
        Tokyo, Japan; Osaka, Japan; Taipei, Taiwan; Sydney, Australia; Melbourne, Australia;
        Auckland, New Zealand; Toronto, Canada; Vancouver, Canada; Montreal, Canada;
        Chicago, Illinois; Denver, Colorado; Phoenix, Arizona; Atlanta, Georgia;
        Houston, Texas; Miami, Florida; Seattle, Washington; Boston, Massachusetts;
        Detroit, Michigan; Mexico City, Mexico; Guadalajara, Mexico; Bogota, Colombia;
        Lima, Peru; Santiago, Chile; Buenos Aires, Argentina; Sao Paulo, Brazil;
        Rio de Janeiro, Brazil; Quito, Ecuador; Caracas, Venezuela; Havana, Cuba"""
    )
)

# Home towns of the invented outlets; also the "local angle" of local leads.
TOWNS = _items(
    """Millbrook; Riverton; Ashford; Cedar Falls; Port Hallam; Brookfield; Kingsbridge;
    Lakeview; Stonehaven; Fairhaven; Greenvale; Westbury; Northfield; Harrowgate; Eastwick;
    Maplewood; Silverton; Oakridge; Bayport; Clearwater; Redhill; Elmstead; Granite City;
    Pinecrest; Hollowell; Marston; Wexley; Dunmore; Carrow; Thornbury; Alder Creek;
    Bramley; Copper Hill; Dovercourt; Fallowfield; Glenrock; Hazelton; Ironbridge;
    Juniper Bay; Kestrel Point; Larkspur; Meadowvale; Newhaven; Orchard Park; Pembrook;
    Quarry Hill; Rosewood; Saltmarsh; Tidewater; Upton Vale"""
)
REGIONS = _items(
    """Ohio; Oregon; Maine; Iowa; Vermont; Kansas; Nevada; Idaho; Montana; Kentucky;
    Yorkshire; Kent; Devon; Cornwall; Ontario; Manitoba; Queensland; Tasmania"""
)
OUTLET_KINDS = _items(
    """Gazette; Herald; Tribune; Courier; Post; Daily News; Chronicle; Ledger; Observer;
    Sentinel; Times; Journal; Record; Star; Register; Dispatch; Examiner; Bulletin;
    Advocate; Press; Today; Live; Report; Review; Mercury; Echo; Telegraph; Argus"""
)
WIRE_AGENCIES = ("Continental Press", "Global Wire Service", "United News Agency",
                 "Meridian Press Agency")

COMPANY_PREFIXES = _words("Nor Vel Ast Cor Bri Kel Tam Zen Lum Ora Syl Dra Fen Hal Mar Qui "
                          "Tor Ves Cal Oxa Pel Rho Tri Ul Ban Cen Dal Eri Gal Jor")
COMPANY_SUFFIXES = _words("vex tra ion ara ico ent ium on ax ora ex is elle ant ova ida")

WEEKDAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
MONTHS = _words("January February March April May June July August September October "
                "November December")
SMALL_NUMBERS = _words("two three four five six seven eight nine")

ADJECTIVES = _items(
    """new; proposed; revised; controversial; long-awaited; emergency; temporary; ambitious;
    costly; sweeping; modest; disputed; landmark; delayed; scaled-back; multi-year;
    preliminary; final; updated; independent; widespread; sudden; limited; draft; joint;
    additional; partial; expanded; long-term; short-term; annual; planned; national;
    regional; major; key; important; large; fresh; latest; official; unpopular; overdue;
    flagship; pilot; interim; formal; rival; separate; broader; stricter; complex;
    simplified; unprecedented; record; much-criticised; closely watched; hard-fought;
    fragile; lengthy; rushed; bold; cautious; detailed; vague; secret; public;
    government-backed; state-funded; cross-party; two-year; five-year; ten-year;
    three-month; six-month; nationwide; citywide; underfunded; expensive; tougher; weaker;
    renewed; reworked; initial; amended; contentious; provisional; phased; voluntary;
    mandatory; one-off; open-ended; high-profile; low-cost; cut-price; fast-tracked"""
)
ADVERBS = _items(
    """sharply; quietly; repeatedly; formally; narrowly; publicly; swiftly; reluctantly;
    initially; abruptly; largely; privately; jointly; openly; briefly; cautiously; firmly;
    unexpectedly; again; finally; unanimously; provisionally; effectively; partly;
    hastily; belatedly; tentatively; decisively; grudgingly; eagerly; hurriedly; strongly;
    fiercely; loudly; conditionally; temporarily; partially; quickly; deliberately;
    informally; secretly; suddenly; reportedly; ultimately; immediately"""
)

# Transitive verbs (base form); inflected by ``generate._inflect``.
VERBS = _words(
    """approve reject delay review announce defend criticise scrap propose back block extend
    finalise unveil suspend investigate fund endorse challenge revise expand overhaul
    question oppose support welcome condemn examine postpone accelerate halt restore reverse
    adopt negotiate publish launch implement abandon freeze raise lower reinstate dispute
    audit probe rethink withdraw approve rework pause cap simplify tighten relax target
    amend accept assess bolster champion curb debate dismiss ditch enforce finance
    limit mandate reconsider renegotiate resist revive revisit sanction scrutinise shelve
    downgrade redesign rebrand tender outsource prioritise subsidise regulate ratify
    sign slash streamline upgrade veto""")
VERB_FORMS = {  # past, past participle, third person, -ing
    "scrap": ("scrapped", "scrapped", "scraps", "scrapping"),
    "freeze": ("froze", "frozen", "freezes", "freezing"),
    "rethink": ("rethought", "rethought", "rethinks", "rethinking"),
    "withdraw": ("withdrew", "withdrawn", "withdraws", "withdrawing"),
    "cap": ("capped", "capped", "caps", "capping"),
    "veto": ("vetoed", "vetoed", "vetoes", "vetoing"),
}
# Verbs for quantities: past, past participle, present third person.
STAT_VERBS = tuple(
    tuple(v.split("/"))
    for v in _words(
        """rose/risen/rises fell/fallen/falls climbed/climbed/climbs dropped/dropped/drops
        jumped/jumped/jumps slipped/slipped/slips surged/surged/surges declined/declined/declines
        increased/increased/increases eased/eased/eases plunged/plunged/plunges
        recovered/recovered/recovers doubled/doubled/doubles grew/grown/grows"""
    )
)
REACTION_VERBS = _items(
    """welcomed; criticised; condemned; questioned; praised; rejected; cautiously welcomed;
    attacked; dismissed; challenged; applauded; denounced; slammed; hailed; backed; opposed;
    disputed; mocked; endorsed; embraced; defended; lauded; protested; cautiously backed;
    broadly welcomed; angrily rejected"""
)
CONNECTORS = _items(
    """But; However,; Meanwhile,; Still,; Separately,; Earlier,; By contrast,; For now,;
    Even so,; As a result,; Since then,; Until now,; Privately,; In practice,; Officially,;
    Elsewhere,; At the same time,; In the meantime,; Last year,; In recent weeks,;
    In response,; Despite this,; Nonetheless,; Publicly,; In the end,; Locally,; Later,;
    On paper,; So far,; At first,; Last month,"""
)
MODALS = _words("will would could must should cannot may might")
# Kept short: a long fixed phrase would be a 5-gram shared by every story that used it.
EVALUATIONS = _items(
    """unacceptable; long overdue; deeply worrying; a serious mistake; not enough;
    a turning point; reckless; a betrayal; a relief; a good start; premature; a gamble;
    a disgrace; a breakthrough; welcome news; a fudge; a scandal; a sensible compromise;
    an insult; overdue; misguided; a lifeline; a warning sign; a wasted opportunity;
    a step backwards; a step forward; too little; a mess; a farce; a victory; a setback;
    a big moment; a huge risk; a real test; a red line; a shambles; a blow; a win;
    a missed chance; encouraging; puzzling; a distraction; a smokescreen; a first step"""
)
EVALUATIONS_2 = _words("disappointing encouraging remarkable worrying clear obvious "
                       "frustrating shocking reassuring regrettable alarming striking "
                       "telling baffling sad welcome odd unfair ironic inevitable "
                       "troubling puzzling galling heartening depressing astonishing "
                       "predictable unsurprising concerning embarrassing extraordinary "
                       "absurd disturbing revealing")
DEGREE = _words("deeply frankly simply quite really genuinely hugely rather increasingly "
                "profoundly truly utterly extremely very particularly somewhat entirely "
                "absolutely pretty")
PURPOSES = _items(
    """to protect {G}; before {M}; for {G}; without delay; while {G} wait;
    whatever the cost; as {G} demand; this {M}"""
)
REASONS = _words("amid after following despite ahead_of over because_of against")
CAPTION_VERBS = _items(
    """gather outside; wait near; inspect; walk past; queue outside; stand beside;
    protest near; look at; arrive at; leave; photograph; clear debris near; rally outside;
    march past; sit outside; line up at; hold banners outside; gather inside; wait outside;
    crowd into; walk towards; stand outside"""
)
CAPTION_PLACES = _items(
    """government building; hospital; railway station; courthouse; school; office block;
    warehouse; bridge; market; shelter; stadium; town hall; port; factory; polling station;
    clinic; bus depot; housing estate; construction site; police station; library; church;
    community centre; farm; power station; airport terminal; university campus; square;
    press centre; sports hall"""
)
CAPTION_SOLO_VERBS = _items(
    """walks past; waits near; stands beside; looks at; arrives at; leaves; photographs;
    clears debris near; sits outside; walks towards; stands outside; queues outside;
    inspects; waits outside; cycles past; sweeps outside"""
)
OCCUPATIONS = _items(
    """teacher; nurse; taxi driver; shopkeeper; student; pensioner; engineer; farmer;
    accountant; cleaner; baker; electrician; lorry driver; software developer; waiter;
    mechanic; librarian; pharmacist; plumber; carpenter; bus driver; barber; chef;
    factory worker; dock worker; retired teacher; midwife; social worker; firefighter;
    cafe owner; tailor; postal worker; fisherman; civil servant; photographer; musician;
    translator; security guard; market trader; hairdresser"""
)
CAPTION_PERSON_VERBS = _items(
    """visits; tours; inspects; speaks at; arrives at; leaves; walks through;
    addresses supporters at; meets residents at; looks around; waves outside"""
)
CAPTION_DETS = _items(
    """a; the; a local; the main; a damaged; a crowded; an empty; the old; a temporary;
    a nearby; the new; a makeshift"""
)
# Before the name ("Health Ministry spokesperson Ana Silva"), {O} an organisation without
# "the": the name then sits in every 6-gram around it, where "Ana Silva, the Health
# Ministry's legal adviser, warned that" would leave "s legal adviser warned that the",
# a 6-gram shared by every story that used it.
DESCRIPTORS = _items(
    """{O} spokesperson; {O} deputy director; {O} economist; {O} legal adviser;
    {O} policy chief; {O} research director; {O} chair; {O} press officer; {O} official;
    {C} Research analyst; {F} professor; {city} {F} expert; {C} Partners analyst"""
)
FIELDS = _items(
    """economics; law; public policy; history; engineering; medicine; political science;
    sociology; finance; geography; statistics; ethics"""
)

# Outlet edits: words outlets swap in for the wire's (both directions where it reads well).
SYNONYMS = {
    "officials": ("authorities",), "authorities": ("officials",),
    "residents": ("locals", "people"), "announced": ("unveiled", "revealed"),
    "unveiled": ("announced",), "criticised": ("slammed", "blasted"),
    "condemned": ("denounced",), "warned": ("cautioned",), "rose": ("climbed",),
    "climbed": ("rose",), "fell": ("dropped", "declined"), "dropped": ("fell",),
    "increased": ("grew",), "major": ("significant",), "key": ("crucial",),
    "important": ("vital",), "large": ("big",), "new": ("fresh",), "plan": ("proposal",),
    "proposed": ("planned",), "expected": ("likely",),
    "delayed": ("postponed",), "postponed": ("delayed",), "rejected": ("dismissed",),
    "backed": ("supported",), "supported": ("backed",), "sharply": ("steeply",),
    "swiftly": ("quickly",), "despite": ("in spite of",), "following": ("after",),
    "workers": ("employees",), "lawmakers": ("legislators",), "doctors": ("physicians",),
    "deal": ("agreement",), "agreement": ("deal",), "talks": ("negotiations",),
    "inquiry": ("investigation",), "investigation": ("inquiry",), "questioned": ("challenged",),
    "praised": ("hailed",), "attacked": ("lambasted",), "temporary": ("interim",),
    "controversial": ("contentious",), "contentious": ("controversial",),
    "widespread": ("broad",), "sudden": ("abrupt",), "costly": ("expensive",),
    "final": ("definitive",), "modest": ("small",), "strike": ("walkout",),
    "shortage": ("lack",), "funding": ("financing",), "prices": ("costs",),
    "region": ("area",), "commuters": ("travellers",), "passengers": ("travellers",),
    "quietly": ("discreetly",), "repeatedly": ("frequently",), "publicly": ("openly",),
    "reluctantly": ("grudgingly",), "firmly": ("strongly",), "largely": ("mostly",),
    "welcomed": ("embraced",), "dismissed": ("brushed aside",), "halt": ("stop",),
    "abandon": ("drop",), "examine": ("study",),
    "unprecedented": ("unheard-of",), "lengthy": ("long",), "vague": ("unclear",),
    "bold": ("daring",), "tougher": ("harsher",), "cautious": ("careful",),
}
# Replacements for a wire "said", by what follows it.
SAID_REPLACEMENTS = ("told reporters", "claimed", "stated", "noted", "added", "explained",
                     "insisted", "maintained", "told journalists")
SAID_BEFORE_IN = ("claimed", "stated", "noted", "added", "explained", "insisted")

# Boilerplate templates: {O} outlet name, {T} its town, {S} section, {A} wire agency,
# {slug} a web-safe outlet name.
BOILERPLATE_TOP = _items(
    """Share this article: Facebook Twitter WhatsApp Email;
    Share on Facebook Share on X Share via Email Print; Listen to this article;
    Advertisement; Copy link; Save article"""
)
BOILERPLATE_MID = _items(
    """Read more: {O} coverage of {S}; Advertisement; Related Posts;
    Sign up for our newsletter to get the latest {T} news delivered to your inbox.;
    RELATED: More {S} stories from the {O} newsroom; Story continues below advertisement;
    Get the {O} app for breaking news alerts"""
)
BOILERPLATE_BOTTOM = _items(
    """Sign up for our newsletter; Related Posts; © {O}. All rights reserved.;
    This article was originally published by {A}.;
    Have a news tip? Email the {O} newsroom at tips@{slug}.com.;
    Follow {O} on Facebook, X and Instagram for more updates.;
    Copyright {A}. All rights reserved. This material may not be published, broadcast,
    rewritten or redistributed.; Comments are closed.;
    Support local journalism: subscribe to the {O} today."""
)

# Topic lexicons. nouns: singular things a story is about; groups: plural agents;
# orgs: organisation names ({C} company stem, {city} a city); titles: before a name;
# qty: quantities that rise or fall; units: countable plurals.
TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "politics": {
        "nouns": _items("""election law; budget bill; coalition agreement; reform package;
            voting reform; spending plan; constitutional amendment; ethics inquiry;
            cabinet reshuffle; confidence vote; referendum proposal; campaign finance rule;
            lobbying ban; public pay deal; anti-corruption bill; immigration bill;
            leadership contest; parliamentary inquiry; regional autonomy plan; tax reform"""),
        "groups": _items("""lawmakers; opposition leaders; voters; party members; campaigners;
            political analysts; coalition partners; civil servants"""),
        "orgs": _items("""the National Assembly; the Senate; the Interior Ministry;
            the Electoral Commission; the Social Democratic Party; the National Renewal Party;
            the Liberal Alliance; the Green Coalition; the Unity Party;
            the Conservative Union"""),
        "titles": _items("""Prime Minister; Interior Minister; Senator; Speaker;
            Deputy Prime Minister; Opposition Leader"""),
        "qty": _items("""government support; turnout; poll ratings; public trust;
            opposition support; party membership"""),
        "units": _words("votes seats signatures lawmakers ballots voters"),
    },
    "economy": {
        "nouns": _items("""interest rate decision; budget deficit; trade agreement;
            stimulus package; tax cut; wage deal; pension reform; minimum wage increase;
            export ban; bond sale; currency intervention; inflation target; fuel subsidy;
            debt restructuring plan; tariff increase; jobs programme; bank rescue;
            investment fund; growth forecast; spending review"""),
        "groups": _items("""economists; investors; traders; small business owners; shoppers;
            union leaders; lenders; exporters"""),
        "orgs": _items("""the central bank; the Finance Ministry; the statistics office;
            the Chamber of Commerce; {C} Bank; {C} Capital; the Treasury;
            the Fiscal Council"""),
        "titles": _items("""Finance Minister; Central Bank Governor; Treasury Secretary;
            Trade Minister; Economy Minister"""),
        "qty": _items("""inflation; unemployment; consumer spending; retail sales;
            factory output; household debt; mortgage lending; the currency"""),
        "units": _words("jobs companies households workers loans businesses"),
    },
    "health": {
        "nouns": _items("""vaccination campaign; hospital funding plan; drug shortage;
            screening programme; nurses' strike; measles outbreak; waiting list target;
            mental health strategy; pharmacy closure; emergency care plan;
            health insurance reform; cancer treatment trial; staffing shortage;
            ambulance contract; clinic expansion; flu season; public health warning;
            medicine price cap; maternity unit closure; patient safety review"""),
        "groups": _items("""doctors; nurses; patients; health officials; hospital managers;
            researchers; parents; pharmacists"""),
        "orgs": _items("""the Health Ministry; {city} General Hospital;
            the Public Health Institute; {C} Pharma; the Medical Association;
            the Nurses' Union; the Disease Control Centre; the Health Service"""),
        "titles": _items("""Health Minister; Chief Medical Officer; Health Commissioner;
            Surgeon General; Dr."""),
        "qty": _items("""hospital admissions; infection rates; waiting times; vaccination rates;
            bed occupancy; prescription costs"""),
        "units": _words("patients cases beds doctors nurses doses"),
    },
    "climate": {
        "nouns": _items("""flood defence plan; drought warning; heatwave; water restriction;
            emissions target; coastal barrier; evacuation order; storm warning; relief fund;
            reservoir project; wildfire; rainfall record; insurance payout; cleanup operation;
            power outage; climate adaptation plan; river level alert; crop insurance scheme;
            tree planting programme; carbon tax"""),
        "groups": _items("""residents; farmers; firefighters; emergency crews; climate scientists;
            homeowners; volunteers; meteorologists"""),
        "orgs": _items("""the National Weather Service; the Environment Agency;
            the Ministry of Environment; the {city} Fire Department; the Red Cross;
            {C} Energy; the Coastal Authority; the Disaster Management Agency"""),
        "titles": _items("""Environment Minister; Fire Chief; Governor; Mayor;
            Emergency Management Director"""),
        "qty": _items("""river levels; temperatures; rainfall; reservoir levels;
            insurance claims; carbon emissions"""),
        "units": _words("homes residents hectares households properties people"),
    },
    "technology": {
        "nouns": _items("""data protection law; artificial intelligence rule; chip factory;
            broadband rollout; cybersecurity breach; software update; satellite launch;
            antitrust case; app ban; privacy settlement; cloud contract; spectrum auction;
            platform fine; data centre project; encryption proposal; online safety bill;
            startup fund; semiconductor subsidy; network outage; hacking campaign"""),
        "groups": _items("""users; developers; privacy advocates; regulators; engineers;
            investors; tech executives; security researchers"""),
        "orgs": _items("""{C} Systems; {C} Technologies; the Data Protection Authority;
            the Communications Regulator; the Digital Ministry; {C} Networks;
            the Competition Authority; the Cybersecurity Agency"""),
        "titles": _items("""Digital Minister; Technology Secretary; Commissioner;
            Chief Technology Officer"""),
        "qty": _items("""subscriptions; chip prices; data breaches; online sales;
            download numbers; cloud revenue"""),
        "units": _words("users accounts devices engineers customers servers"),
    },
    "courts": {
        "nouns": _items("""murder trial; fraud case; corruption inquiry; police investigation;
            sentencing hearing; appeal ruling; extradition request; bail decision;
            drug seizure; kidnapping case; money laundering charge; court order;
            prison reform; class action lawsuit; arrest warrant; plea deal; jury verdict;
            cybercrime probe; weapons charge; witness protection scheme"""),
        "groups": _items("""prosecutors; defence lawyers; detectives; witnesses; police officers;
            jurors; victims' families; investigators"""),
        "orgs": _items("""the {city} Police Department; the Supreme Court;
            the Prosecutor's Office; the Justice Ministry; the {city} District Court;
            the Anti-Corruption Bureau; the Bar Association; the Prison Service"""),
        "titles": _items("""Judge; Police Chief; Attorney General; Justice Minister;
            Chief Prosecutor; Detective Inspector"""),
        "qty": _items("""violent crime; burglary rates; court backlogs; prison numbers;
            fraud reports; drug seizures"""),
        "units": _words("suspects cases officers prisoners arrests charges"),
    },
    "conflict": {
        "nouns": _items("""ceasefire proposal; military aid package; peace talks;
            air defence system; troop deployment; prisoner exchange; drone attack;
            sanctions package; border offensive; humanitarian corridor; arms deal;
            evacuation effort; security agreement; missile strike; reconstruction plan;
            mobilisation order; naval blockade; defence budget; peacekeeping mission;
            intelligence assessment"""),
        "groups": _items("""soldiers; civilians; diplomats; aid workers; military analysts;
            refugees; commanders; negotiators"""),
        "orgs": _items("""the Defence Ministry; the Foreign Ministry; the General Staff;
            the United Nations; the Security Council; the Border Guard Service;
            the Armed Forces; the Red Cross"""),
        "titles": _items("""Defence Minister; Foreign Minister; General; President; Commander;
            Ambassador"""),
        "qty": _items("""civilian casualties; displacement; arms deliveries; refugee numbers;
            military spending; shelling"""),
        "units": _words("troops civilians drones missiles refugees soldiers"),
    },
    "transport": {
        "nouns": _items("""rail strike; airport expansion; bus network overhaul; fare increase;
            road safety plan; bridge closure; high-speed railway; flight cancellation;
            port upgrade; electric bus order; congestion charge; train timetable;
            cycle lane scheme; motorway widening; ferry contract; driver shortage;
            ticket price freeze; rail line; airline merger; traffic plan"""),
        "groups": _items("""commuters; passengers; drivers; rail workers; pilots; cyclists;
            airline executives; transport planners"""),
        "orgs": _items("""the Transport Ministry; {C} Airways; the National Rail Authority;
            the {city} Transit Authority; the Civil Aviation Authority; {C} Rail;
            the Drivers' Union; the Port Authority"""),
        "titles": _items("""Transport Minister; Transport Secretary; Aviation Commissioner;
            Transit Director"""),
        "qty": _items("""passenger numbers; fares; delays; fuel costs; traffic volumes;
            ticket sales"""),
        "units": _words("passengers flights trains buses drivers routes"),
    },
    "energy": {
        "nouns": _items("""power plant; wind farm; gas pipeline; electricity price cap;
            nuclear reactor; solar subsidy; fuel tax; grid upgrade; oil field licence;
            heat pump scheme; coal phase-out; energy rebate; battery factory;
            hydrogen project; gas storage target; drilling permit;
            energy efficiency programme; tariff review; refinery closure; offshore lease"""),
        "groups": _items("""households; energy companies; consumers; engineers;
            environmental groups; industry leaders; grid operators; miners"""),
        "orgs": _items("""the Energy Ministry; {C} Energy; {C} Power; the Energy Regulator;
            {C} Oil; the National Grid Operator; {C} Renewables; the Atomic Energy Agency"""),
        "titles": _items("""Energy Minister; Energy Secretary; Grid Director;
            Chief Regulator"""),
        "qty": _items("""electricity prices; gas prices; oil output; power demand; fuel costs;
            solar installations"""),
        "units": _words("homes megawatts barrels turbines households panels"),
    },
    "education": {
        "nouns": _items("""school funding formula; teachers' strike; curriculum reform;
            exam results; tuition fee increase; school closure; university merger;
            student loan plan; literacy programme; free meals scheme;
            school building programme; teacher shortage; admissions policy;
            scholarship fund; class size target; special needs review;
            exam cheating scandal; campus expansion; apprenticeship scheme;
            school safety plan"""),
        "groups": _items("""teachers; students; parents; head teachers; university leaders;
            education experts; pupils; school governors"""),
        "orgs": _items("""the Education Ministry; the University of {city};
            the Teachers' Union; the {city} School Board; the Exams Authority;
            the Student Union; {city} Technical College; the Schools Inspectorate"""),
        "titles": _items("""Education Minister; Education Secretary; Schools Commissioner;
            Vice-Chancellor; Superintendent"""),
        "qty": _items("""pass rates; enrolment; tuition fees; teacher vacancies;
            attendance; student debt"""),
        "units": _words("pupils students schools teachers classrooms graduates"),
    },
    "housing": {
        "nouns": _items("""housing plan; rent freeze; mortgage scheme; eviction ban;
            building permit; social housing project; property tax; affordable homes target;
            tower block inspection; planning reform; homelessness strategy;
            tenant protection law; land sale; redevelopment project; housing subsidy;
            zoning change; holiday rental rule; construction contract;
            home repair grant; building safety review"""),
        "groups": _items("""tenants; landlords; homeowners; developers; housing campaigners;
            first-time buyers; builders; councillors"""),
        "orgs": _items("""the Housing Ministry; the {city} City Council; {C} Homes;
            the Tenants' Association; the Housing Authority; {C} Construction;
            the Planning Commission; the Building Standards Agency"""),
        "titles": _items("""Housing Minister; Mayor; Councillor; Housing Secretary;
            Planning Director"""),
        "qty": _items("""rents; house prices; mortgage approvals; homelessness;
            construction costs; building starts"""),
        "units": _words("homes flats families tenants properties plots"),
    },
    "agriculture": {
        "nouns": _items("""farm subsidy; export quota; grain deal; crop failure;
            livestock disease outbreak; fertiliser price; irrigation project;
            harvest forecast; import ban; pesticide rule; land reform;
            dairy price agreement; fishing quota; food price cap; drought aid;
            seed programme; farm protest; veterinary inspection; organic certification scheme;
            water allocation"""),
        "groups": _items("""farmers; growers; fishermen; food processors;
            agricultural economists; rural residents; vets; ranchers"""),
        "orgs": _items("""the Agriculture Ministry; the Farmers' Union; {C} Foods;
            the Food Safety Authority; the Grain Board; {C} Agri; the Fisheries Agency;
            the Rural Development Fund"""),
        "titles": _items("""Agriculture Minister; Farm Secretary; Fisheries Commissioner;
            Chief Veterinary Officer"""),
        "qty": _items("""grain prices; wheat exports; milk prices; fertiliser costs;
            harvest yields; food prices"""),
        "units": _words("tonnes hectares farms cattle farmers acres"),
    },
    "sport": {
        "nouns": _items("""stadium plan; transfer deal; doping case; league reform;
            coaching change; broadcast rights deal; ticketing policy; championship bid;
            player contract; salary cap; anti-racism campaign; youth academy; fan protest;
            club takeover; match-fixing inquiry; injury crisis; qualifying campaign;
            training facility; relegation battle; season opener"""),
        "groups": _items("""fans; players; club officials; coaches; league executives;
            sponsors; supporters' groups; referees"""),
        "orgs": _items("""{city} FC; the National Football League; {city} United;
            the Sports Ministry; the Olympic Committee; the Anti-Doping Agency;
            the Players' Association; {C} Sports"""),
        "titles": _items("""Sports Minister; Head Coach; Club President; Commissioner;
            Captain; Manager"""),
        "qty": _items("""ticket sales; attendance; broadcast revenue; club debts; membership;
            sponsorship income"""),
        "units": _words("fans tickets matches players goals seats"),
    },
}
GENERIC_GROUPS = _items(
    """officials; residents; critics; supporters; analysts; local leaders; business groups;
    community leaders; campaigners; experts"""
)
# Before a group, now and then ("worried tenants"): groups are in most sentences.
GROUP_QUALIFIERS = _words(
    """local many some angry worried frustrated several younger older rural independent
    leading prominent disgruntled veteran concerned sceptical influential""")


# --------------------------------------------------------------------------- grammar

_T = TypeVar("_T")


def _inflect(verb: str) -> tuple[str, str, str, str]:
    """Past, past participle, third person and -ing forms of a regular verb."""
    if verb in VERB_FORMS:
        return VERB_FORMS[verb]
    consonant_y = verb.endswith("y") and verb[-2] not in "aeiou"
    if verb.endswith("e"):
        past, ing = verb + "d", verb[:-1] + "ing"
    elif consonant_y:
        past, ing = verb[:-1] + "ied", verb + "ing"
    else:
        past, ing = verb + "ed", verb + "ing"
    if verb.endswith(("s", "sh", "ch", "x", "z")):
        third = verb + "es"
    elif consonant_y:
        third = verb[:-1] + "ies"
    else:
        third = verb + "s"
    return past, past, third, ing


# (base, past, past participle, third person, -ing)
_VERBS = tuple((v, *_inflect(v)) for v in dict.fromkeys(VERBS))
_ORG_HEADS = frozenset(
    "Ministry Council Authority Agency Commission Service Department Court Office Bureau "
    "Association Union Board Fund Assembly Party Alliance Coalition Inspectorate Operator "
    "Regulator Committee Staff Forces League Institute Centre".split()
)
_GLOBAL_ORGS = frozenset(("the United Nations", "the Security Council"))
_SMALL_WORDS = frozenset("a an the and but or for nor on at to by in of as amid over after "
                         "with from into is".split())


def _an(word: str) -> str:
    w = word.lower()
    if w.startswith(("one", "uni", "use", "eu")):
        return "a"
    return "an" if w[:1] in "aeiou" or w.startswith("hour") else "a"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _poss(name: str) -> str:
    """``the ministry's``, ``Norvex Systems'``."""
    return name + ("'" if name.endswith("s") else "'s")


def _title_case(headline: str) -> str:
    words = headline.split(" ")
    out = []
    for i, w in enumerate(words):
        if i and w.lower() in _SMALL_WORDS:
            out.append(w)
        else:
            out.append("-".join(_cap(p) for p in w.split("-")))
    return " ".join(out)


@dataclass(frozen=True)
class _Person:
    first: str
    last: str
    title: str  # before the name ("Health Minister"), or ""
    desc: str  # apposition used when there is no title


@dataclass(frozen=True)
class _Org:
    name: str
    short: str
    bare: str = ""  # without "the" or the country, before a role: "Health Ministry"


@dataclass(frozen=True)
class _Cast:
    """What a story is about: shared by a story and its hard negatives."""

    topic: str
    city: str
    region: str
    people: tuple[_Person, ...]
    orgs: tuple[_Org, ...]
    event: str
    groups: tuple[str, ...]


def _company(rng: random.Random) -> str:
    return rng.choice(COMPANY_PREFIXES) + rng.choice(COMPANY_SUFFIXES)


def _make_org(rng: random.Random, template: str, city: str, region: str) -> _Org:
    stem = _company(rng)
    name = template.replace("{C}", stem).replace("{city}", city)
    if "{C}" in template:
        return _Org(name, stem, name)
    head = name.rsplit(" ", 1)[-1]
    if not name.startswith("the "):
        return _Org(name, name, name)
    bare = name[4:]
    if "{city}" not in template and name not in _GLOBAL_ORGS and " " not in region:
        # "Kenya's Chamber of Commerce": a national body is the country's (and "according
        # to the Chamber of Commerce" would be one 6-gram for every story citing it). Not
        # for "South Africa": "according to South Africa's" would be one too.
        name = f"{region}'s {bare}"
    return _Org(name, "the " + head.lower() if head in _ORG_HEADS else name, bare)


def _descriptor(rng: random.Random, orgs: Sequence[_Org]) -> str:
    org = rng.choice(orgs)
    return rng.choice(DESCRIPTORS).format(
        O=org.bare or org.name, C=_company(rng), city=rng.choice(PLACES)[0],
        F=rng.choice(FIELDS)
    )


def _make_cast(rng: random.Random, topic: str | None = None) -> _Cast:
    topic = topic or rng.choice(_TOPIC_NAMES)
    lex = TOPICS[topic]
    city, region = rng.choice(PLACES)
    orgs = tuple(_make_org(rng, t, city, region)
                 for t in rng.sample(lex["orgs"], rng.randint(2, 3)))
    people = []
    titles = rng.sample(lex["titles"], len(lex["titles"]))  # one holder per title
    for last in rng.sample(LAST_NAMES, rng.randint(3, 5)):  # surnames tell them apart
        first = rng.choice(FIRST_NAMES)
        title = titles.pop() if titles and rng.random() < 0.45 else ""
        people.append(_Person(first, last, title, _descriptor(rng, orgs)))
    # At most four words, all but "the" varied: a story's hard negatives name its event
    # too and may share no 6-gram with it, so the event and its neighbours must leave room.
    event = f"the {rng.choice(_SHORT_ADJECTIVES)} {rng.choice(_SHORT_NOUNS[topic])}"
    groups = tuple(rng.sample(lex["groups"], 5)) + tuple(rng.sample(GENERIC_GROUPS, 3))
    return _Cast(topic, city, region, tuple(people), orgs, event, groups)


def _recast(rng: random.Random, cast: _Cast) -> _Cast:
    """The same people and organisations, described in other words (as a rival would)."""
    people = []
    for p in cast.people:
        desc = p.desc
        while desc == p.desc:
            desc = _descriptor(rng, cast.orgs)
        people.append(_Person(p.first, p.last, p.title, desc))
    return _Cast(cast.topic, cast.city, cast.region, tuple(people), cast.orgs, cast.event,
                 cast.groups)


class _WordIds(dict[str, int]):
    """Word -> a small int, numbered as first seen (so the same for a seed in any process,
    unlike ``hash(str)``)."""

    def __missing__(self, word: str) -> int:
        i = self[word] = len(self)
        return i


_MASK60 = (1 << 60) - 1


class _Form:
    """The odds of the ways to write one piece of a sentence (see ``_Writer.form``)."""

    __slots__ = ("cum", "left", "prior", "rate", "total")
    ALPHA = 0.02  # weight of the newest draw in each way's running success rate
    FLOOR = 0.02  # no way fades below this share of its prior odds
    EVERY = 32  # draws between re-weighings

    def __init__(self, prior: int | tuple[float, ...]) -> None:
        self.prior = (1.0,) * prior if isinstance(prior, int) else prior
        self.rate = [1.0] * len(self.prior)
        self.cum = list(itertools.accumulate(self.prior))
        self.total = self.cum[-1]
        self.left = self.EVERY

    @staticmethod
    def first_pick(prior: int | tuple[float, ...], x: float) -> int:
        if isinstance(prior, int):
            return int(x * prior)
        cum = list(itertools.accumulate(prior))
        return bisect.bisect_right(cum, x * cum[-1])

    def reweigh(self) -> None:
        """Odds from the running rates (squared: a way half as fresh is picked a quarter
        as often); ``_Writer._draw`` updates the rates."""
        self.left = self.EVERY
        self.cum = list(itertools.accumulate(
            p * max(r * r, self.FLOOR) for p, r in zip(self.prior, self.rate, strict=True)))
        self.total = self.cum[-1]


class _Registry:
    """The lower-cased word 6-grams of all story text written so far, as hashed ints.

    Each new sentence for a story is checked against it (``_Writer._draw``) and its
    6-grams are added once its document is out (``commit``), so no sentence shares a
    6-gram with text already written for another story. Stories are written one at a
    time: a document's own pending 6-grams are kept apart until it is committed.
    """

    TRIES = 30  # draws of a sentence before one that shares is kept (and counted)

    def __init__(self) -> None:
        self.used: set[int] = set()
        self.ids = _WordIds()
        self._id = self.ids.__getitem__
        self.failures = 0  # sentences kept although no fresh draw was found
        self.draws = 0  # sentences drawn and checked
        self.redrawn = 0  # of those, the ones that shared a 6-gram (drawn again or kept)
        self.forms: dict[str, _Form] = {}

    def keys(self, sentence: str) -> list[int]:
        """The sentence's lower-cased word 6-grams, as ints."""
        w = list(map(self._id, _WORD_RE.findall(sentence.lower())))
        # hash() of a tuple of ints is not salted per process, so the draws are repeatable;
        # 60 bits keep each int in 32 bytes (millions of them at 100k documents).
        return list(map(_MASK60.__and__, map(hash, zip(w, w[1:], w[2:], w[3:], w[4:], w[5:],
                                                         strict=False))))

    def keys8(self, text: str) -> set[int]:
        """The text's lower-cased word 8-grams, as ints (hard negatives avoid their
        story's, across sentence boundaries too)."""
        w = list(map(self._id, _WORD_RE.findall(text.lower())))
        return set(map(hash, zip(w, w[1:], w[2:], w[3:], w[4:], w[5:], w[6:], w[7:],
                                 strict=False)))

    def commit(self, grams: set[int]) -> None:
        """Add a finished document's 6-grams (and empty ``grams``)."""
        self.used |= grams
        grams.clear()


class _Writer:
    """Writes news sentences about one cast; remembers who has been introduced.

    With a registry, every sentence drawn through :meth:`_draw` (which all the writing
    entry points use) shares no word 6-gram with another story's text; its grams collect
    in ``grams`` until the generator commits them.
    """

    def __init__(self, rng: random.Random, cast: _Cast, reg: _Registry | None = None) -> None:
        self.rng = rng
        self.cast = cast
        self.lex = TOPICS[cast.topic]
        self.seen: set[int] = set()
        self.seen_orgs: set[int] = set()
        self.reg = reg
        self.grams: set[int] = set()
        self.picked: list[tuple[_Form, int]] = []  # forms chosen in the current draw
        # 6-grams this writer may share: the story's own, for an outlet's version of it.
        self.own: set[int] | None = None

    def fresh_grams(self, sentence: str) -> list[int] | None:
        """The 6-grams of ``sentence``, or None if another story has one of them."""
        assert self.reg is not None
        grams = self.reg.keys(sentence)
        return grams if self._fresh_keys(grams) else None

    def _fresh_keys(self, keys: list[int]) -> bool:
        used = self.reg.used  # type: ignore[union-attr]
        if used.isdisjoint(keys):
            return True
        own = self.own
        return own is not None and all(k in own for k in keys if k in used)

    # -- pieces --------------------------------------------------------------------
    # random.randint and randrange cost several times what one random() does, and the
    # writer draws millions (every rejected sentence is drawn again).
    def pick(self, seq: Sequence[_T]) -> _T:
        return seq[int(self.rng.random() * len(seq))]

    def ri(self, a: int, b: int) -> int:
        """A uniform int in ``[a, b]``."""
        return a + int(self.rng.random() * (b - a + 1))

    def rr(self, n: int) -> int:
        """A uniform int in ``[0, n)``."""
        return int(self.rng.random() * n)

    def form(self, name: str, prior: int | tuple[float, ...]) -> int:
        """Which way to write piece ``name``: one of ``prior`` (a count, for equal odds, or
        the odds). With a registry the odds follow how often each way has lately given
        a sentence no other story has, so ways whose 6-grams are used up fade and fewer
        sentences are drawn again."""
        reg = self.reg
        if reg is None:
            return _Form.first_pick(prior, self.rng.random())
        f = reg.forms.get(name)
        if f is None:
            f = reg.forms[name] = _Form(prior)
        k = _bisect(f.cum, self.rng.random() * f.total)
        self.picked.append((f, k))
        return k

    def verb(self) -> tuple[str, str, str, str, str]:
        return _VERBS[int(self.rng.random() * len(_VERBS))]

    def adv(self) -> str:
        return self.pick(ADVERBS) + " " if self.rng.random() < 0.4 else ""

    def noun(self) -> str:
        return self.pick(self.lex["nouns"])

    def group(self, *, city: bool = True) -> str:
        """A group of people, sometimes qualified ("worried tenants", "Kyiv tenants";
        not by the city with ``city=False``)."""
        g = self.pick(self.cast.groups)
        r = self.rng.random()
        if r < 0.3:
            return f"{self.pick(GROUP_QUALIFIERS)} {g}"
        if r < 0.4 and city:
            return f"{self.cast.city} {g}"
        return g

    def person(self) -> str:
        i = int(self.rng.random() * len(self.cast.people))
        p = self.cast.people[i]
        if i in self.seen:
            return p.last
        self.seen.add(i)
        return f"{p.title or p.desc} {p.first} {p.last}"

    def org(self, *, full: bool = False) -> str:
        i = int(self.rng.random() * len(self.cast.orgs))
        o = self.cast.orgs[i]
        if i in self.seen_orgs and not full and self.rng.random() < 0.4:
            return o.short
        self.seen_orgs.add(i)
        return o.name

    def agent(self) -> str:
        r = self.rng.random()
        if r < 0.4:
            return self.person()
        if r < 0.75:
            return self.org()
        return self.group()

    def adj(self, noun: str) -> str:
        """An adjective for ``noun``: one word before a long noun, so that "the {adj}
        {noun}" alone never fills a 6-gram."""
        return self.pick(_SHORT_ADJECTIVES if noun in _LONG_NOUNS else ADJECTIVES)

    def np(self) -> str:
        k = self.form("np", (0.32, 0.13, 0.12, 0.12, 0.11, 0.1, 0.1))
        n = self.noun()
        if k == 0:
            return f"the {self.adj(n)} {n}"
        if k == 1:
            a = self.adj(n)
            return f"{_an(a)} {a} {n}"
        if k == 2:
            o = self.org()
            return f"{_poss(o)} {n}"
        if k == 3:
            return f"the {n} for {self.group()}"
        if k == 4:
            move = self.pick(("plans", "moves", "efforts", "attempts", "proposals", "a bid",
                              "a push", "calls"))
            return f"{move} to {self.verb()[0]} the {n}"
        if k == 5:
            return f"the {n} in {self.cast.city}"
        return self.cast.event

    def number(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.25:
            return str(self.ri(10, 99))
        if r < 0.45:
            return str(self.ri(100, 999))
        if r < 0.7:
            return f"{self.ri(1000, 99999):,}"
        return f"{self.ri(1, 60)}.{self.ri(1, 9)} percent"

    def money(self) -> str:
        unit = self.pick(("million", "billion"))
        cur = self.pick(("$", "\u20ac", "\u00a3"))
        return f"{cur}{self.ri(1, 999)}.{self.ri(1, 9)} {unit}"

    def count(self) -> str:
        n = self.ri(10, 99999)
        return f"{n:,} {self.pick(self.lex['units'])}"

    def date(self) -> str:
        return f"{self.pick(MONTHS)} {self.ri(1, 28)}"

    def when(self) -> str:
        # At most four words after "said": a sentence ending "Silva said {when}." then
        # ends in a 6-gram that holds the name.
        wd = self.pick(WEEKDAYS)
        k = self.form("when", 12)
        if k == 0:
            return f"late on {wd}"
        if k == 1:
            return f"early on {wd}"
        if k == 2:
            return f"on {wd} {self.pick(('morning', 'afternoon', 'evening'))}"
        if k == 3:
            return self.pick(("in a statement", "in an interview", "in a radio interview",
                              "in a television interview", "at a briefing", "in a speech",
                              "in a letter", "in a post online", "at a news conference"))
        if k == 4:
            return f"at a {self.cast.city} {self.pick(('briefing', 'rally', 'event', 'hearing'))}"
        if k in (5, 6):
            return f"on {self.date()}"
        if k == 7:
            return f"{self.pick(('last', 'this', 'on'))} {wd} {self.pick(('night', 'morning'))}"
        if k == 8:
            return f"on {wd}, {self.date()}"
        return f"on {wd}"

    def period(self) -> str:
        # Short (at most four words, two of them varied) so no stock 5-gram forms.
        k = self.form("period", 9)
        if k == 0:
            return f"since {self.pick(MONTHS)} {self.ri(2005, 2023)}"
        if k == 1:
            return f"as of {self.date()}"
        if k == 2:
            return f"over {self.ri(2, 30)} {self.pick(('weeks', 'months'))}"
        if k == 3:
            return f"in {self.pick(MONTHS)} {self.ri(2015, 2024)}"
        if k == 4:
            i = self.rr(12)
            return f"between {MONTHS[i]} and {MONTHS[(i + 1 + self.rr(11)) % 12]}"
        if k == 5:
            return f"last {self.pick(MONTHS)}"
        if k == 6:
            return f"from {self.ri(2005, 2014)} to {self.ri(2015, 2024)}"
        if k == 7:
            return f"in {self.ri(2012, 2024)}"
        return f"compared with {self.pick(MONTHS)} {self.ri(2015, 2024)}"

    def future(self) -> str:
        k = self.form("future", 8)
        if k == 0:
            return f"in {self.pick(MONTHS)}"
        if k == 1:
            return f"within {self.ri(10, 90)} days"
        if k == 2:
            return f"before {self.date()}"
        if k == 3:
            return f"by {self.ri(2025, 2035)}"
        if k == 4:
            return f"by late {self.pick(MONTHS)}"
        if k == 5:
            return f"by {self.date()}"
        return self.pick(("next week", "early next year", "later this month",
                          "within weeks", "this summer", "this autumn"))

    def reason(self) -> str:
        return f"{self.pick(REASONS).replace('_', ' ')} {self.np()}"

    def qty(self) -> str:
        return self.pick(self.lex["qty"])

    def clause(self) -> str:
        k = self.form("clause", 5)
        if k == 0:
            return f"{self.agent()} {self.adv()}{self.verb()[1]} {self.np()}"
        if k == 1:
            n = self.noun()
            been = self.pick(("had been", "was"))
            return (f"the {self.adj(n)} {n} {been} {self.adv()}{self.verb()[2]} by "
                    f"{self.org()}")
        if k == 2:
            had = "had"
            return f"{self.qty()} {had} {self.pick(STAT_VERBS)[1]} {self.period()}"
        if k == 3:
            what = self.pick(("called for", "pushed for", "waited for", "protested against",
                              "warned about", "lobbied for", "campaigned against",
                              "argued for", "rallied against", "petitioned for",
                              "complained about", "fought for", "asked for", "marched against"))
            had = self.pick(("had", "had long"))
            return f"{self.group()} {had} {self.adv()}{what} {self.np()} {self.period()}"
        modal = self.pick(("could", "would", "might", "may", "will"))
        what = self.pick(("lose", "benefit", "suffer", "pay", "gain", "struggle"))
        return f"{self.count()} {modal} {what} under {self.np()}"

    def participle(self) -> str:
        k = self.form("participle", 6)
        # Each starts with a varied word: it follows a "{when}," of little variety.
        if k == 0:
            said = self.pick(("said", "warned", "feared", "predicted", "hoped", "argued"))
            return f"a move {self.group()} {said} could {self.verb()[0]} {self.np()}"
        if k == 1:
            return f"{self.pick(('saying', 'adding', 'arguing', 'noting'))} {self.clause()}"
        if k == 2:
            what = self.pick(("uncertainty", "wrangling", "debate", "protests", "delays",
                              "talks", "rows", "lobbying", "hearings", "negotiations"))
            unit = self.pick(("weeks", "months", "years"))
            return f"ending {self.ri(2, 30)} {unit} of {what} over {self.np()}"
        if k == 3:
            act = self.pick(("question", "challenge", "criticise", "welcome", "praise",
                             "oppose"))
            return f"prompting {self.group(city=False)} to {act} {self.np()}"
        if k == 4:
            what = self.pick(("objections", "protests", "complaints", "criticism", "opposition",
                              "warnings", "concerns", "appeals"))
            return f"despite {what} from {self.group()}"
        return f"affecting {self.count()}"

    def quote_text(self) -> str:
        k = self.form("quote_text", 8)
        if k == 0:
            modal = self.pick(("will", "must", "cannot", "should", "want to", "need to",
                               "plan to", "hope to"))
            purpose = self.pick(PURPOSES).replace("{G}", self.group()).replace(
                "{M}", self.pick(MONTHS))
            return f"We {modal} {self.verb()[0]} {self.np()} {purpose}"
        if k == 1:
            subject = self.pick((f"The {self.pick(ADJECTIVES)} {self.noun()}",
                                 f"{_cap(_poss(self.org()))} {self.noun()}"))
            return f"{subject} is {self.pick(EVALUATIONS)} for {self.group()}"
        if k == 2:
            what = self.pick(("answers", "better", "clarity", "honesty", "respect",
                              "certainty", "support", "transparency", "fairness", "reassurance",
                              "consultation", "guarantees", "a say", "the facts"))
            on = self.pick(("on", "about", "over", "regarding"))
            return f"{_cap(self.group())} deserve {what} {on} {self.np()}"
        if k == 3:
            opener = self.pick(("Our priority is", "Our job is", "What matters is",
                                "Our aim is", "The goal is", "Our plan is", "The task is",
                                "My priority is", "My job is"))
            return f"{opener} {self.verb()[4]} {self.np()}"
        if k == 4:
            who = self.pick(("Nobody", "No one", "Everyone", "Anyone", "Few people",
                             "Hardly anyone", "Most people", "Nobody sensible"))
            verb = self.pick(("doubts", "denies", "disputes", "questions") if who[0] in "NH"
                             else ("can see", "knows", "accepts", "agrees"))
            if who.startswith(("Few", "Most")):
                verb = self.pick(("doubt", "deny", "dispute", "question") if who[0] == "F"
                                 else ("accept", "agree", "believe", "know"))
            return f"{who} {verb} that {self.clause()}"
        if k == 5:
            return (f"I think {self.clause()}, and we {self.pick(MODALS)} "
                    f"{self.verb()[0]} {self.np()}")
        if k == 6:
            opener = self.pick(("It is", "It's", "It was", "I find it", "It seems",
                                "We find it"))
            return (f"{opener} {self.pick(DEGREE)} {self.pick(EVALUATIONS_2)} that "
                    f"{self.clause()}")
        what = self.pick(("What happened with", "The handling of", "The row over",
                          "The debate over", "The fuss over", "The mess over", "The fight over",
                          "The deal on", "The outcome on"))
        return f"{what} {self.np()} is {self.pick(EVALUATIONS)}"

    # -- sentences -----------------------------------------------------------------
    def lead(self) -> str:
        k = self.form("lead", (0.4, 0.35, 0.25))
        e = self.cast.event
        if k == 0:
            s = f"{self.org()} {self.adv()}{self.verb()[1]} {e} {self.when()}, {self.participle()}."
        elif k == 1:
            s = f"{self.person()} {self.verb()[1]} {e} {self.when()} {self.reason()}."
        else:
            s = (f"{self.count()} were affected by {e} in {self.cast.city} {self.when()}, "
                 f"{self.org()} said.")
        return _cap(s)

    def source(self) -> str:
        """Attribution of a figure; varied so it adds no shared stock phrase."""
        k = self.form("source", 4)
        org = self.org(full=True)
        if k == 0:
            return f"according to {org}"
        if k == 1:
            return f"{org} said {self.when()}"
        if k == 2:
            what = self.pick(("figures", "data", "estimates", "statistics", "numbers"))
            return f"{what} from {org} {self.pick(('showed', 'show', 'suggest', 'indicate'))}"
        return f"{org} {self.pick(('estimated', 'reported', 'said', 'calculated', 'found'))}"

    def stat(self) -> str:
        k = self.form("stat", (1.0, 1.0, 1.0, 1.0, 0.5))
        sv = self.pick(STAT_VERBS)
        if k == 0:
            prep = self.pick(("to", "by"))
            fig = f"{self.qty()} {sv[0]} {prep} {self.number()} {self.period()}"
            src = self.source()
            if src.startswith("according") and self.rng.random() < 0.5:
                s = f"{_cap(src)}, {fig}."
            else:
                s = f"{fig}, {src}."
        elif k == 1:
            most = self.pick(("highest", "lowest", "sharpest", "biggest", "steepest",
                              "smallest", "fastest", "weakest", "strongest", "slowest"))
            what = self.pick(("level", "change", "rise", "fall", "reading", "figure",
                              "move", "swing"))
            since = self.pick((f"since {self.ri(1990, 2022)}",
                               f"in {self.ri(3, 40)} years",
                               f"for {self.ri(3, 40)} months", "on record",
                               f"since {self.pick(MONTHS)} {self.ri(1990, 2022)}"))
            src = self.pick(("According to {o},", "Figures from {o} show", "Data from {o} show",
                             "{o} figures show", "{o} data show", "{o} statistics show",
                             "Statistics from {o} show"))
            src = src.replace("{o}", self.org(full=True))
            mark = self.pick(("the", "its"))
            s = (f"{src} {self.qty()} {sv[0]} to {self.number()} {self.period()}, "
                 f"{mark} {most} {what} {since}.")
        elif k == 2:
            what = self.pick(("registered", "counted", "added", "lost", "recorded", "reported"))
            s = f"{self.org()} has {what} {self.count()} {self.period()}."
        elif k == 3:
            n = self.noun()
            what = self.pick((f"the {self.adj(n)} {n}", self.cast.event,
                              f"{_poss(self.org())} {n}", f"the {n} in {self.cast.city}"))
            cost = self.pick(("would cost", "could cost", "will cost", "might cost",
                              "may cost", "should cost", "is set to cost"))
            span = self.pick((f"over {self.ri(2, 15)} years", f"by {self.ri(2026, 2040)}",
                              f"through {self.ri(2026, 2040)}", f"across {self.ri(2, 15)} years",
                              f"until {self.ri(2026, 2040)}", f"within {self.ri(2, 15)} years"))
            said = self.pick(("said", "estimated", "told reporters", "warned", "said on "
                              f"{self.pick(WEEKDAYS)}"))
            if self.rng.random() < 0.5:
                s = f"{what} {cost} {self.money()} {span}, {self.person()} {said}."
            else:
                s = f"{self.person()} {said} {what} {cost} {self.money()} {span}."
        else:  # an outside analyst, named in full
            who = (f"{self.pick(FIRST_NAMES)} {self.pick(LAST_NAMES)}, "
                   f"{self.pick(('an analyst', 'an economist', 'a researcher', 'a consultant'))}"
                   f" at {_company(self.rng)} {self.pick(('Research', 'Partners', 'Analytics'))}")
            s = (f"{self.qty()} {sv[0]} {self.pick(('to', 'by'))} {self.number()} "
                 f"{self.period()}, {self.pick(('said', 'estimated', 'calculated'))} {who}.")
        return _cap(s)

    def passerby(self) -> str:
        """Someone from the street, in full: "Ana Silva, 54, a nurse"."""
        job = self.pick(OCCUPATIONS)
        return (f"{self.pick(FIRST_NAMES)} {self.pick(LAST_NAMES)}, {self.ri(19, 84)}, "
                f"{_an(job)} {job}")

    def quote(self) -> list[str]:
        k = self.form("quote", (1.0, 1.0, 1.0, 1.0, 0.6))
        q = self.quote_text()
        if k == 0:
            out = [f'"{q}," {self.person()} said.']
        elif k == 1:
            out = [f'"{q}," said {self.person()}.']
        elif k == 2:
            out = [f'"{q}," {self.person()} said {self.when()}.']
        elif k == 3:
            return [_cap(f"{self.person()} said {self.clause()}.")]
        else:
            out = [f'"{q}," said {self.passerby()} in {self.cast.city}.']
        if self.rng.random() < 0.4:
            out.append(f'"{self.quote_text()}."')
        return out

    def reaction(self) -> str:
        k = self.form("reaction", (1.0, 1.0, 1.0, 1.0, 0.5))
        if k == 0:
            how = self.pick(("arguing", "saying", "warning", "insisting", "claiming", "noting",
                             "complaining"))
            n = self.noun()
            s = (f"{self.group()} {self.pick(REACTION_VERBS)} the {self.adj(n)} {n}, {how} "
                 f"that {self.clause()}.")
        elif k == 1:
            how = self.pick(("warned", "argued", "said", "claimed", "insisted", "suggested",
                             "noted", "complained", "predicted"))
            who = self.person() + ","
            them = self.pick(("Critics", "Opponents", "Sceptics", "Supporters", "Observers",
                              f"Several {self.pick(self.cast.groups)}"))
            s = (f"{them}, including {who} {how} that {self.cast.event} "
                 f"{self.pick(MODALS)} {self.verb()[0]} {self.np()}.")
        elif k == 2:
            s = (f"{self.pick(CONNECTORS)} {self.group()} {self.verb()[1]} {self.np()} "
                 f"{self.reason()}.")
        elif k == 3:
            s = (f"{self.group(city=False)} in {self.cast.city} {self.pick(REACTION_VERBS)} "
                 f"{self.np()} {self.when()}.")
        else:
            how = self.pick(("saying", "arguing", "adding", "complaining"))
            s = (f"{self.passerby()} in {self.cast.city}, {self.pick(REACTION_VERBS)} "
                 f"{self.np()}, {how} that {self.clause()}.")
        return _cap(s)

    def background(self) -> str:
        k = self.form("background", 4)
        if k == 0:
            verb = self.pick(("comes", "came", "arrives", "arrived"))
            ago = f"{self.ri(2, 30)} {self.pick(('days', 'weeks', 'months'))}"
            n = self.noun()
            s = f"The {self.adj(n)} {n} {verb} {ago} after {self.clause()}."
        elif k == 1:
            s = f"{self.pick(CONNECTORS)} {self.clause()}."
        elif k == 2:
            how = self.pick(("has faced", "has debated", "has disputed", "has weighed",
                             "has resisted", "has endured", "has opposed", "has discussed"))
            year = self.ri(1995, 2022)
            if self.rng.random() < 0.5:
                s = f"{self.cast.city} {how} {self.np()} since {year}, when {self.clause()}."
            else:
                s = f"Since {year}, {self.cast.city} {how} {self.np()}."
        else:
            year = self.ri(1950, 2015)
            aside = self.pick((f"based in {self.cast.city} since {year}",
                               f"founded in {year}", f"set up in {year}",
                               f"in {self.cast.city} since {year}",
                               f"which {self.pick(REACTION_VERBS)} {self.np()} in "
                               f"{self.ri(2000, 2023)}",
                               f"chaired by {self.person()}", f"led by {self.person()}",
                               f"criticised in {self.ri(2000, 2023)} for "
                               f"{self.np()}"))
            s = f"{self.org()} — {aside} — {self.verb()[1]} {self.np()} {self.period()}."
        return _cap(s)

    def next_steps(self) -> str:
        k = self.form("next_steps", 4)
        if k == 0:
            how = self.pick(("is expected to", "is due to", "plans to", "is set to",
                             "is likely to", "has promised to", "intends to", "has vowed to",
                             "hopes to", "wants to"))
            s = f"{self.org()} {how} {self.verb()[0]} {self.np()} {self.future()}."
        elif k == 1:
            will = self.pick(("will", "must", "is due to", "is set to", "should", "could",
                              "may"))
            act = self.pick(("rule on", "decide on", "vote on", "report on", "decide about",
                             "pronounce on", "adjudicate on", "weigh in on"))
            s = (f"{self.org()} {will} {act} {self.np()} {self.future()}, "
                 f"{self.person()} said.")
        elif k == 2:
            cond = self.pick((f"if {self.group()} backed the {self.noun()}",
                              f"unless {self.qty()} {self.pick(STAT_VERBS)[0]} further",
                              f"once the {self.noun()} had been approved"))
            s = f"{self.person()} said {self.org()} would {self.verb()[0]} {self.np()} {cond}."
        else:
            how = self.pick(("plan to", "are set to", "have vowed to", "are expected to",
                             "hope to", "want to", "are likely to", "have promised to",
                             "intend to", "are preparing to"))
            s = f"{self.group()} {how} {self.verb()[0]} {self.np()} {self.future()}."
        return _cap(s)

    def headline(self) -> str:
        k = self.form("headline", 5)
        if k == 0:
            tail = self.pick((f"amid {self.pick(self.lex['qty'])} concerns",
                              f"as {self.cast.city} criticism mounts",
                              f"after {self.pick(self.lex['nouns'])} row",
                              f"as {self.group()} protest"))
            o = self.cast.orgs[0].short if self.rng.random() < 0.5 else self.cast.orgs[0].name
            o = o[4:] if o.startswith("the ") else o
            s = f"{o} {self.verb()[3]} {self.pick(ADJECTIVES)} {self.noun()} {tail}"
        elif k == 1:
            s = f"{self.cast.people[0].last} {self.verb()[3]} {self.noun()} in {self.cast.city}"
        elif k == 2:
            move = self.pick(("rise", "fall", "climb", "drop", "jump", "slip"))
            likely = self.pick(("set to", "expected to", "likely to", "could", "may", "to"))
            s = f"{self.pick(self.lex['qty'])} {likely} {move} to {self.number()} {self.future()}"
        elif k == 3:
            s = (f"{self.cast.city} {self.pick(self.cast.groups)} face "
                 f"{self.pick(ADJECTIVES)} {self.noun()}")
        else:
            s = (f"{self.group()} {self.verb()[0]} {self.noun()} as "
                 f"{self.cast.people[-1].last} {self.verb()[3]} {self.cast.event[4:]}")
        return _cap(s)

    def caption(self, credit: str) -> str:
        place = self.pick(CAPTION_PLACES)
        det = self.pick(CAPTION_DETS)
        what = f"{_an(place) if det == 'a' else det} {place}"
        date = f"{self.pick(MONTHS)} {self.ri(1, 28)}"
        if self.rng.random() < 0.7:
            date = f"{self.pick(WEEKDAYS)}, {date}"
        r = self.rng.random()
        if r < 0.35:
            act = f"{self.group(city=False)} {self.pick(CAPTION_VERBS)} {what}"
        elif r < 0.65:  # captions name people in full, whether or not the story has yet
            p = self.pick(self.cast.people)
            act = (f"{p.title or p.desc} {p.first} {p.last} "
                   f"{self.pick(CAPTION_PERSON_VERBS)} {what}")
        else:
            act = (f"{self.pick(FIRST_NAMES)} {self.pick(LAST_NAMES)}, {self.ri(19, 84)}, "
                   f"{self.pick(CAPTION_SOLO_VERBS)} {what}")
        # Several orders, and often a street: a city's captions would soon use up "a port
        # in Rio de Janeiro on".
        where = f"in {self.cast.city}"
        if self.rng.random() < 0.6:
            street = self.pick(("Street", "Road", "Avenue", "Square", "Lane", "Boulevard"))
            where = f"on {self.pick(LAST_NAMES)} {street} {where}"
        k = self.form("caption", 4)
        if k == 0:
            s = f"{_cap(act)} {where} on {date}."
        elif k == 1:
            s = f"On {date}, {act} {where}."
        elif k == 2:
            s = f"{_cap(act)} on {date}, {where}."
        else:
            s = f"{_cap(where)}, {act} on {date}."
        name = f"{self.pick(FIRST_NAMES)} {self.pick(LAST_NAMES)}"
        return f"{s} (Photo: {name}/{credit})"

    def local(self, town: str) -> str:
        k = self.form("local", 3)
        group = self.group(city=False)
        if k == 0:
            said = self.pick(("said", "warned", "feared", "argued", "predicted", "suggested",
                              "hoped"))
            s = (f"In {town}, {group} {said} {self.cast.event} could {self.verb()[0]} "
                 f"{self.np()} {self.future()}.")
        elif k == 1:
            s = (f"In {town}, where {self.count()} {self.pick(('rely on', 'depend on'))} "
                 f"{self.np()}, {group} {self.pick(REACTION_VERBS)} {self.cast.event} "
                 f"{self.when()}.")
        else:
            s = (f"Local {self.pick(self.cast.groups)} in {town} {self.pick(REACTION_VERBS)} the "
                 f"{self.noun()} {self.when()}.")
        return _cap(s)

    def body(self, n_par: int, words: int, forbid: set[int] | None = None
             ) -> list[list[str]]:
        """Paragraphs of sentences: a one-sentence lead, then a mix by position.

        With ``forbid`` (word 8-grams), sentences sharing one are drawn again.
        """
        per_par = words / max(n_par, 1)
        lead = (self._fresh(self.lead, forbid, keep=False)
                or self._fresh(self.background, forbid))
        out: list[list[str]] = [[lead]] if lead else []
        for i in range(1, n_par):
            f = i / n_par
            place = "late" if f > 0.75 else "early" if f < 0.3 else "middle"
            k = max(1, round(per_par / 24 + self.rng.uniform(-0.6, 0.6)))
            par = self._sentences(place, forbid)
            for _ in range(k - 1):
                if len(par) >= k:
                    break
                par.extend(self._sentences("more", forbid))
            if par:
                out.append(par)
        total = sum(len(x.split()) for par in out for x in par)
        for _ in range(4 * n_par):  # top up to the word budget
            if total >= words or len(out) < 2:
                break
            par = out[1 + int(self.rng.random() * (len(out) - 1))]
            extra = self._sentences("more", forbid)
            par.extend(extra)
            total += sum(len(x.split()) for x in extra)
        return out

    def _sentences(self, place: str, forbid: set[int] | None) -> list[str]:
        """A sentence (or a quote's two) of a kind that suits its ``place`` in the story
        (see ``_KINDS``), the kind drawn anew with each draw."""
        kinds, prior = _KINDS[place]

        def draw() -> list[str]:
            kind = kinds[self.form(place, prior)]
            return self.quote() if kind == "quote" else [_KIND_WRITERS[kind](self)]

        return self._draw(draw, forbid, 30) or []

    def write(self, fn: Any) -> str:
        """A sentence from ``fn``, drawn again while it shares a 6-gram with another
        story (see :meth:`_draw`)."""
        s = self._fresh(fn)
        assert s is not None  # only ``forbid`` can leave no draw
        return s

    def _fresh(self, fn: Any, forbid: set[int] | None = None, *,
               keep: bool = True) -> str | None:
        """A sentence from ``fn`` sharing no 8-gram with ``forbid`` and no 6-gram with
        other stories (see :meth:`_draw`)."""
        if not forbid and self.reg is None:
            return fn()  # type: ignore[no-any-return]
        got = self._draw(lambda: [fn()], forbid, 30, keep=keep)
        return got[0] if got else None

    def _draw(self, fn: Any, forbid: set[int] | None, tries: int, *,
              keep: bool = True) -> list[str] | None:
        """Sentences from ``fn`` (a list) sharing no 8-gram with ``forbid`` and, with a
        registry, no 6-gram with another story's text: up to ``tries`` draws (the
        registry's ``TRIES`` at least). If none is clean of the registry, with ``keep``
        the draw that avoids ``forbid`` and shares the fewest 6-grams is kept and counted
        (the registry's ``failures``); otherwise, or if none avoids ``forbid``, None. A
        rejected draw leaves no one introduced."""
        reg = self.reg
        if not forbid and reg is None:
            return fn()  # type: ignore[no-any-return]
        if reg is not None:
            tries = max(tries, reg.TRIES)
        rejected: list[tuple[list[str], list[int], set[int], set[int]]] = []
        seen, seen_orgs = self.seen, self.seen_orgs
        # Copies to draw with, so that a rejected draw introduces no one (none needed once
        # everyone has been).
        whole = (len(seen) == len(self.cast.people)
                 and len(seen_orgs) == len(self.cast.orgs))
        for _ in range(tries):
            if not whole:
                self.seen, self.seen_orgs = set(seen), set(seen_orgs)
            self.picked.clear()
            got = fn()
            if reg is None:
                if forbid:
                    raise ValueError("an 8-gram forbid set needs a registry")
                return got  # type: ignore[no-any-return]
            keys = reg.keys(got[0]) if len(got) == 1 else [k for s in got for k in reg.keys(s)]
            reg.draws += 1
            fresh = self._fresh_keys(keys)
            alpha = fresh * _Form.ALPHA
            for f, k in self.picked:  # each way's running rate of fresh draws
                rate = f.rate
                rate[k] += alpha - _Form.ALPHA * rate[k]
                f.left -= 1
                if not f.left:
                    f.reweigh()
            if fresh:
                if forbid and any(not forbid.isdisjoint(reg.keys8(s)) for s in got):
                    continue
                self.grams.update(keys)
                return got  # type: ignore[no-any-return]
            reg.redrawn += 1
            if keep:
                rejected.append((got, keys, self.seen, self.seen_orgs))
        if forbid:
            rejected = [r for r in rejected
                        if all(forbid.isdisjoint(reg.keys8(s)) for s in r[0])]
        if not rejected:
            self.seen, self.seen_orgs = seen, seen_orgs
            return None
        assert reg is not None
        reg.failures += 1
        used = reg.used
        got, keys, self.seen, self.seen_orgs = min(
            rejected, key=lambda r: sum(k in used for k in r[1]))
        self.grams.update(keys)
        return got


# The kinds of body sentence by place in the story, and their odds.
_KINDS: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "early": (("stat", "quote", "background"), (0.3, 0.3, 0.4)),
    "middle": (("quote", "reaction", "stat"), (0.4, 0.25, 0.35)),
    "late": (("next", "background", "quote"), (0.35, 0.3, 0.35)),
    "more": (("background", "reaction", "stat"), (1.0, 1.0, 1.0)),
}
_KIND_WRITERS = {"stat": _Writer.stat, "background": _Writer.background,
                 "reaction": _Writer.reaction, "next": _Writer.next_steps}
_TOPIC_NAMES = tuple(TOPICS)
_bisect = bisect.bisect_right
_WORD_RE = re.compile(r"\w+")
_SHORT_NOUNS = {t: tuple(n for n in lex["nouns"] if len(_WORD_RE.findall(n)) <= 2)
                for t, lex in TOPICS.items()}
_SHORT_ADJECTIVES = tuple(a for a in ADJECTIVES if len(_WORD_RE.findall(a)) == 1)
_LONG_NOUNS = frozenset(n for lex in TOPICS.values() for n in lex["nouns"]
                        if len(_WORD_RE.findall(n)) >= 3)


def ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    """Lower-cased word ``n``-grams of ``text`` (words are ``\\w+`` runs).

    >>> sorted(ngrams("The cat sat.", 2))
    [('cat', 'sat'), ('the', 'cat')]
    """
    w = _WORD_RE.findall(text.lower())
    return set(zip(*(w[i:] for i in range(n)), strict=False))


def _fits(paragraphs: list[list[_Piece]], at: int, text: str, forbid: set[int] | None,
          reg: _Registry) -> bool:
    """Whether ``text`` put between paragraphs ``at - 1`` and ``at`` (or, at 0, before
    the first piece) forms none of the ``forbid`` 8-grams with its neighbours."""
    if not forbid:
        return True
    before = paragraphs[at - 1][-1][0] if at > 0 else ""
    after = paragraphs[at][0][0] if at < len(paragraphs) else ""
    return forbid.isdisjoint(reg.keys8(f"{before} {text} {after}"))


# --------------------------------------------------------------------------- outlet edits

_QUOTED = re.compile(r'"[^"]*"')
_LETTERS = re.compile(r"[A-Za-z]+")
_SAID = re.compile(r"\bsaid\b")
_SAID_INVERT = re.compile(r'(," )([A-Z][\w-]+) said\.$')
_SAID_X = re.compile(r'(," )said ([A-Z][\w-]+)\.$')
_NUMBER = re.compile(r"(?<![\w.,$€£])([$€£]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?!\w|,\d)")
_HEDGES = ("about ", "nearly ", "more than ", "almost ", "some ")


def _outside_quotes(s: str) -> list[tuple[int, int]]:
    return [m.span() for m in _QUOTED.finditer(s)]


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _substitute(rng: random.Random, s: str) -> str | None:
    """Swap one to three words for synonyms, never inside quotation marks."""
    quoted = _outside_quotes(s)
    cands = [m for m in _LETTERS.finditer(s)
             if m.group().lower() in SYNONYMS and not _inside(m.start(), quoted)]
    if not cands:
        return None
    chosen = rng.sample(cands, min(len(cands), rng.randint(1, 3)))
    chosen.sort(key=lambda m: m.start(), reverse=True)
    for m in chosen:
        word = m.group()
        new = rng.choice(SYNONYMS[word.lower()])
        if word[0].isupper():
            new = _cap(new)
        s = s[: m.start()] + new + s[m.end():]
    return s


def _attribution(rng: random.Random, s: str) -> str | None:
    """Change how a statement is attributed ("said" -> "told reporters", inversion)."""
    m = _SAID_INVERT.search(s)
    if m and rng.random() < 0.35:
        return s[: m.start()] + f"{m.group(1)}said {m.group(2)}." + s[m.end():]
    m = _SAID_X.search(s)
    if m and rng.random() < 0.35:
        return s[: m.start()] + f"{m.group(1)}{m.group(2)} said." + s[m.end():]
    quoted = _outside_quotes(s)
    cands = [m for m in _SAID.finditer(s) if not _inside(m.start(), quoted)]
    if not cands:
        return None
    m = rng.choice(cands)
    after = s[m.end(): m.end() + 4]
    new = rng.choice(SAID_BEFORE_IN if after.startswith((" in ", " on ", " at ", " ove"))
                     else SAID_REPLACEMENTS)
    return s[: m.start()] + new + s[m.end():]


def _number_edit(rng: random.Random, s: str) -> str | None:
    """Reformat, round, hedge or update one number (years are left alone)."""
    cands = []
    for m in _NUMBER.finditer(s):
        digits = m.group(2).replace(",", "")
        plain = len(digits) == 4 and not m.group(3) and "," not in m.group(2)
        if plain and 1900 <= int(digits) <= 2040:
            continue
        cands.append(m)
    if not cands:
        return None
    m = rng.choice(cands)
    cur, whole, frac = m.group(1), m.group(2), m.group(3) or ""
    value = int(whole.replace(",", ""))
    k = rng.randrange(4)
    if k == 0 and "," in whole:
        new = f"{cur}{whole.replace(',', '')}{frac}"
    elif k == 1 and value >= 20 and not frac:
        mag = 10 ** max(1, len(str(value)) - 2)
        rounded = round(value / mag) * mag
        if rounded == value:
            rounded += mag
        new = f"{rng.choice(_HEDGES)}{cur}{rounded:,}"
    elif k == 2:
        before = s[max(0, m.start() - 12): m.start()]
        if before.endswith(_HEDGES):
            return None
        new = f"{rng.choice(_HEDGES)}{cur}{whole}{frac}"
    else:
        delta = max(1, int(value * rng.uniform(0.03, 0.2)))
        new_value = value + delta if rng.random() < 0.7 else max(1, value - delta)
        new = f"{cur}{new_value:,}{frac}" if "," in whole or new_value >= 10000 else \
            f"{cur}{new_value}{frac}"
    out = s[: m.start()] + new + s[m.end():]
    return out.replace(" percent", "%", 1) if rng.random() < 0.2 and "percent" in out else out


def _shorten(s: str) -> str | None:
    """Drop a trailing clause after the last comma outside quotes."""
    if s.startswith(('"', "\u201c")):
        return None
    cut = s.rfind(", ")
    if cut < len(s) * 0.55 or s[cut - 1] == '"':
        return None
    quoted = _outside_quotes(s)
    if _inside(cut, quoted):
        return None
    return s[:cut] + "."


# --------------------------------------------------------------------------- typography

_OPEN_DQ = re.compile(r'(^|[\s(\[\u2014\u2013-])"')
_OPEN_SQ = re.compile(r"(^|[\s(\[\u2014\u2013-])'")
_NBSP = re.compile(r"(?<=\d) (?=[A-Za-z%])")


def _curl(s: str) -> str:
    if '"' in s:
        s = _OPEN_DQ.sub("\\1\u201c", s).replace('"', "\u201d")
    if "'" in s:
        s = _OPEN_SQ.sub("\\1\u2018", s).replace("'", "\u2019")
    return s


@dataclass(frozen=True)
class Outlet:
    """A publisher and its house habits (all fixed for the corpus)."""

    name: str
    slug: str
    town: str
    region: str
    curly: bool = False  # typographic quotes and apostrophes
    nbsp: bool = False  # non-breaking space between a number and the next word
    dash: str = " \u2014 "  # how " — " is printed
    headline_case: str = "sentence"  # sentence | title | upper
    dateline: bool = False  # prefix "CITY, Region — " to the first paragraph
    top: tuple[str, ...] = ()  # boilerplate templates before the body
    mid: tuple[str, ...] = ()
    bottom: tuple[str, ...] = ()
    caption_rate: float = 0.0
    caption_dup_rate: float = 0.0  # chance a caption is scraped twice
    edit_rate: float = 0.0  # how much the outlet rewords
    trim_rate: float = 0.0
    local_rate: float = 0.0
    merge_rate: float = 0.0  # chance to merge or split paragraphs
    is_wire: bool = False

    def typeset(self, s: str) -> str:
        """Apply the outlet's typography to one piece of text."""
        if self.curly:
            s = _curl(s)
        if self.dash != " \u2014 " and "\u2014" in s:
            s = s.replace(" \u2014 ", self.dash)
        if self.nbsp:
            s = _NBSP.sub("\u00a0", s)
        return s

    def headline(self, s: str) -> str:
        if self.headline_case == "title":
            return _title_case(s)
        if self.headline_case == "upper":
            return s.upper()
        return s


def _make_outlets(rng: random.Random, n: int) -> list[Outlet]:
    names: dict[str, tuple[str, str]] = {}
    while len(names) < n:
        town = rng.choice(TOWNS)
        kind = rng.choice(OUTLET_KINDS)
        name = f"{town} {kind}" if kind in ("Today", "Live", "Review") else f"The {town} {kind}"
        names.setdefault(name, (town, rng.choice(REGIONS)))
    outlets = []
    for name, (town, region) in names.items():
        verbatim = rng.random() < 0.3
        dup = rng.random() < 0.4
        outlets.append(Outlet(
            name=name,
            slug=re.sub(r"[^a-z]", "", name.lower().removeprefix("the ")),
            town=town,
            region=region,
            curly=rng.random() < 0.4,
            nbsp=rng.random() < 0.2,
            dash=rng.choices((" \u2014 ", " -- ", " \u2013 ", "\u2014"), (4, 2, 2, 2))[0],
            headline_case=rng.choices(("sentence", "title", "upper"), (50, 42, 8))[0],
            dateline=rng.random() < 0.35,
            top=tuple(rng.sample(BOILERPLATE_TOP, rng.randint(0, 2))),
            mid=tuple(rng.sample(BOILERPLATE_MID, rng.randint(0, 2))),
            bottom=tuple(rng.sample(BOILERPLATE_BOTTOM, rng.randint(0, 3))),
            caption_rate=rng.uniform(0.0, 0.7),
            caption_dup_rate=rng.uniform(0.3, 0.9) if dup else 0.0,
            edit_rate=0.02 if verbatim else rng.uniform(0.1, 0.6),
            trim_rate=rng.uniform(0.1, 0.7),
            local_rate=0.0 if verbatim else rng.uniform(0.0, 0.4),
            merge_rate=0.0 if rng.random() < 0.6 else rng.uniform(0.1, 0.3),
        ))
    return outlets


_WIRE_OUTLETS = tuple(Outlet(name=a, slug=re.sub(r"[^a-z]", "", a.lower()), town="", region="",
                             is_wire=True) for a in WIRE_AGENCIES)


# --------------------------------------------------------------------------- assembly

# A piece of a document: (text, tag). Tags: None (new material), ("d", i, edits) wire
# sentence i, ("h", edits) the wire headline, ("bp",) boilerplate, ("cap", k, dup) caption.
_Piece = tuple[str, Any]


def _assemble(outlet: Outlet, head: _Piece, paragraphs: list[list[_Piece]]
              ) -> tuple[str, list[tuple[int, int, Any, str, str]]]:
    """Join pieces into a text; return it and (start, end, tag, text, pre-typography)."""
    parts: list[str] = []
    spans: list[tuple[int, int, Any, str, str]] = []
    pos = 0
    for pi, para in enumerate([[head], *paragraphs]):
        if pi:
            parts.append("\n\n")
            pos += 2
        for j, (raw, tag) in enumerate(para):
            if j:
                parts.append(" ")
                pos += 1
            text = outlet.typeset(raw)
            parts.append(text)
            spans.append((pos, pos + len(text), tag, text, raw))
            pos += len(text)
    return "".join(parts), spans


# --------------------------------------------------------------------------- results


@dataclass
class GeneratedCorpus:
    """What :func:`generate` made: counts, and paths (on disk) or lists (in memory)."""

    n_docs: int
    seed: int
    n_stories: int
    n_truth: int
    roles: dict[str, int]
    out_dir: Path | None = None
    documents_path: Path | None = None
    truth_path: Path | None = None
    meta_path: Path | None = None
    documents: list[dict[str, Any]] | None = None
    truth: list[dict[str, Any]] | None = None
    meta: list[dict[str, Any]] | None = None
    bytes_written: int = 0
    seconds: float = 0.0
    outlets: list[str] = field(default_factory=list)
    # Sentences kept although every redraw shared a word 6-gram with another story.
    fresh_failures: int = 0
    # Sentence draws that shared a word 6-gram with another story and were drawn again.
    redrawn: int = 0


@dataclass
class _Wire:
    story: str
    doc: str
    cast: _Cast
    topic: str
    headline: str
    sentences: list[str]  # flat, in wire order
    layout: list[list[int]]  # paragraphs as indexes into sentences
    spans: list[tuple[int, int]]
    head_span: tuple[int, int]
    date: datetime
    agency: str
    base: bool = False  # from a base corpus: the cast is not what the text is about


_EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)
_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class _Sink:
    """Where records go: three JSONL files, or three lists."""

    def __init__(self, out_dir: Path | None) -> None:
        self.out_dir = out_dir
        self.lists: tuple[list[dict[str, Any]], ...] = ([], [], [])
        self.files: tuple[TextIO, ...] = ()
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            self.files = tuple(
                open(out_dir / name, "w", encoding="utf-8", newline="\n", buffering=1 << 20)
                for name in ("documents.jsonl", "truth.jsonl", "docs_meta.jsonl")
            )

    def put(self, which: int, obj: dict[str, Any]) -> None:
        if self.files:
            self.files[which].write(_DUMPS(obj) + "\n")
        else:
            self.lists[which].append(obj)

    def close(self) -> None:
        for f in self.files:
            f.close()


class _Generator:
    def __init__(self, n_docs: int, seed: int, sink: _Sink, *, base: Iterator[Any] | None,
                 unrelated_rate: float, hard_negative_rate: float, max_versions: int,
                 n_outlets: int) -> None:
        self.rng = random.Random(seed)
        self.n_docs = n_docs
        self.sink = sink
        self.base = base
        # The rates are fractions of documents; a story draw yields 1 + E[versions] of them.
        docs_per_story = 1 + 0.8 * (1 + max_versions) / 2 if max_versions else 1.0
        weights = (hard_negative_rate, unrelated_rate,
                   (1 - hard_negative_rate - unrelated_rate) / docs_per_story)
        self.hard_rate = weights[0] / sum(weights)
        self.unrelated_rate = weights[1] / sum(weights)
        self.max_versions = max_versions
        self.outlets = _make_outlets(self.rng, n_outlets)
        self.width = max(6, len(str(max(n_docs - 1, 0))))
        self.n_emitted = 0
        self.n_stories = 0
        self.n_truth = 0
        self.roles = {"wire": 0, "version": 0, "unrelated": 0, "hard-negative": 0}
        self.boilerplate: dict[str, tuple[str, str, int, int]] = {}
        # Recent generated stories (and their text) that hard negatives may imitate.
        self.recent: deque[tuple[_Wire, str]] = deque(maxlen=16)
        self._grams: dict[str, set[int]] = {}
        # Word 6-grams of everything written so far: new text for a story avoids them.
        self.reg = _Registry()

    # -- ids and dates -------------------------------------------------------------
    def _doc_id(self) -> str:
        d = f"d{self.n_emitted:0{self.width}d}"
        self.n_emitted += 1
        return d

    def _story_id(self) -> str:
        s = f"s{self.n_stories:0{self.width}d}"
        self.n_stories += 1
        return s

    def _date(self) -> datetime:
        return _EPOCH + timedelta(minutes=self.rng.randrange(366 * 24 * 60))

    # -- main loop -----------------------------------------------------------------
    def run(self) -> None:
        rng = self.rng
        while self.n_emitted < self.n_docs:
            r = rng.random()
            if r < self.hard_rate and self.recent:
                self._hard_negative()
            elif r < self.hard_rate + self.unrelated_rate:
                self._unrelated()
            else:
                left = self.n_docs - self.n_emitted - 1
                k = 0 if rng.random() < 0.2 else rng.randint(1, max(self.max_versions, 1))
                self._story(min(k, left, self.max_versions))  # the last story is cut to fit

    def _fresh_cast(self, cast: _Cast) -> _Cast:
        """``cast`` with each person's description redrawn (a few times at most) while it
        holds a 6-gram already written (a person is introduced with it every time)."""
        people = []
        for p in cast.people:
            desc = p.desc
            for _ in range(10):  # introduced as "Ana Silva, {desc} said." or "..., {desc}, ..."
                if self.reg.used.isdisjoint(self.reg.keys(f"{p.first} {p.last}, {desc} said")):
                    break
                desc = _descriptor(self.rng, cast.orgs)
            people.append(_Person(p.first, p.last, p.title, desc))
        return _Cast(cast.topic, cast.city, cast.region, tuple(people), cast.orgs, cast.event,
                     cast.groups)

    def _register(self, writer: _Writer, headline: str, paragraphs: list[list[str]]) -> None:
        """Base-corpus text is not drawn, but later stories avoid it like drawn text."""
        for s in (headline, *(x for par in paragraphs for x in par)):
            writer.grams.update(self.reg.keys(s))

    # -- wire stories --------------------------------------------------------------
    def _base_story(self) -> tuple[str, list[list[str]]] | None:
        if self.base is None:
            return None
        for item in self.base:
            return item
        self.base = None
        return None

    def _story(self, n_versions: int) -> None:
        rng = self.rng
        story = self._story_id()
        cast = self._fresh_cast(_make_cast(rng))
        writer = _Writer(rng, cast, self.reg)
        base = self._base_story()
        if base is not None:
            headline, paragraphs = base
            self._register(writer, headline, paragraphs)
        else:
            headline = writer.write(writer.headline)
            paragraphs = writer.body(rng.randint(10, 25), rng.randint(400, 600))
        sentences: list[str] = []
        layout: list[list[int]] = []
        for par in paragraphs:
            layout.append(list(range(len(sentences), len(sentences) + len(par))))
            sentences.extend(par)
        agency = rng.choice(_WIRE_OUTLETS)
        doc = self._doc_id()
        date = self._date()
        text, spans = _assemble(agency, (headline, ("h",)),
                                [[(sentences[i], ("d", i)) for i in p] for p in layout])
        wire = _Wire(story, doc, cast, "base" if base else cast.topic, headline, sentences, layout,
                     [(a, b) for a, b, *_ in spans[1:]], (spans[0][0], spans[0][1]), date,
                     agency.name, base is not None)
        self._emit(doc, agency.name, date, headline, text, story=story, role="wire",
                   topic=wire.topic, edits=[])
        own = set(writer.grams)  # the versions' new text may share the story's own
        self.reg.commit(writer.grams)
        if base is None:
            self.recent.append((wire, text))
        for outlet in rng.sample(self.outlets, n_versions):
            self._version(wire, outlet, own)

    def _version(self, wire: _Wire, outlet: Outlet, own: set[int]) -> None:
        rng = self.rng
        er = outlet.edit_rate
        doc_edits: list[str] = []
        layout = [list(p) for p in wire.layout]
        if len(layout) > 3 and rng.random() < outlet.trim_rate:
            keep = rng.randint(max(3, math.ceil(0.4 * len(layout))), len(layout) - 1)
            layout = layout[:keep]
            doc_edits.append("trimmed")
        edits: dict[int, list[str]] = {}
        texts: dict[int, str] = {}
        writer = _Writer(rng, wire.cast, self.reg)
        writer.own = own
        for par in layout:
            for i in par:
                s = wire.sentences[i]
                done: list[str] = []
                grams: list[int] = []  # of the edited sentence (shortening adds none)
                if er > 0.05:
                    for label, fn, p in (("substituted", _substitute, 0.5),
                                         ("attribution", _attribution, 0.45),
                                         ("number", _number_edit, 0.35)):
                        if rng.random() < er * p:
                            new = fn(rng, s)
                            if new is None or new == s:
                                continue
                            new_grams = writer.fresh_grams(new)
                            if new_grams is not None:
                                s, grams = new, new_grams
                                done.append(label)
                    if rng.random() < er * 0.08:
                        new = _shorten(s)
                        if new is not None:
                            s = new
                            done.append("shortened")
                texts[i] = s
                edits[i] = done
                writer.grams.update(grams)
        if er > 0.05 and rng.random() < er * 0.6 and len(layout) > 2:
            multi = [p for p in layout[1:] if len(p) > 1]
            moved: tuple[int, ...]
            if multi and rng.random() < 0.5:
                par = rng.choice(multi)
                j = rng.randrange(len(par) - 1)
                par[j], par[j + 1] = par[j + 1], par[j]
                moved = (par[j], par[j + 1])
            else:
                j = rng.randrange(1, len(layout) - 1)
                layout[j], layout[j + 1] = layout[j + 1], layout[j]
                moved = (*layout[j], *layout[j + 1])
            for i in moved:
                edits[i].append("reordered")
            doc_edits.append("reordered")
        paragraphs: list[list[_Piece]] = [
            [(texts[i], ("d", i, edits[i])) for i in p] for p in layout
        ]
        local_rate = 0.0 if wire.base else outlet.local_rate  # no local angle on base text

        def local() -> str:
            return writer.write(lambda: writer.local(outlet.town))

        if rng.random() < local_rate:
            at = rng.choice((0, 1))
            paragraphs.insert(at, [(local(), None)])
            doc_edits.append("local-lead")
        if rng.random() < local_rate * 0.5:
            at = rng.randint(2, len(paragraphs))
            paragraphs.insert(at, [(local(), None),
                                   (writer.write(writer.background), None)])
            doc_edits.append("local-paragraph")
        if rng.random() < outlet.merge_rate:
            paragraphs = self._relayout(paragraphs)
            doc_edits.append("paragraphs-relaid")
        if rng.random() < er * 0.6 and not wire.base:
            head: _Piece = (outlet.headline(writer.write(writer.headline)), None)
            doc_edits.append("headline-rewritten")
        else:
            h = outlet.headline(wire.headline)
            head = (h, ("h", [] if h == wire.headline else ["case"]))
        self._publish(outlet, head, paragraphs, writer, wire.cast, doc_edits,
                      story=wire.story, role="version", topic=wire.topic,
                      date=wire.date + timedelta(minutes=rng.randrange(5, 3 * 24 * 60)),
                      agency=wire.agency, wire=wire, synthetic=not wire.base)

    def _relayout(self, paragraphs: list[list[_Piece]]) -> list[list[_Piece]]:
        """Merge some neighbouring paragraphs and split some long ones (layout only)."""
        rng = self.rng
        out: list[list[_Piece]] = [paragraphs[0]]
        for par in paragraphs[1:]:
            r = rng.random()
            if r < 0.25:
                out[-1] = out[-1] + par
            elif r < 0.45 and len(par) > 1:
                out.extend([par[:1], par[1:]])
            else:
                out.append(par)
        return out

    # -- other documents -----------------------------------------------------------
    def _unrelated(self) -> None:
        rng = self.rng
        story = self._story_id()
        cast = self._fresh_cast(_make_cast(rng))
        writer = _Writer(rng, cast, self.reg)
        base = self._base_story()
        if base is not None:
            headline, body = base
            self._register(writer, headline, body)
        else:
            headline = writer.write(writer.headline)
            body = writer.body(rng.randint(6, 20), rng.randint(250, 600))
        outlet = rng.choice(self.outlets)
        paragraphs = [[(s, None) for s in par] for par in body]
        self._publish(outlet, (outlet.headline(headline), None), paragraphs, writer, cast, [],
                      story=story, role="unrelated", topic="base" if base else cast.topic,
                      date=self._date(), agency=None, wire=None, synthetic=base is None)

    def _hard_negative(self) -> None:
        """Same topic, place, people and organisations as a recent story; new sentences."""
        rng = self.rng
        wire, wire_text = rng.choice(self.recent)
        if wire.story not in self._grams:  # computed only for stories that get imitated
            if len(self._grams) > 64:
                self._grams.clear()
            self._grams[wire.story] = self.reg.keys8(wire_text)
        forbid = self._grams[wire.story]
        story = self._story_id()
        outlet = rng.choice(self.outlets) if rng.random() < 0.8 else rng.choice(_WIRE_OUTLETS)
        n_par, words = rng.randint(6, 18), rng.randint(250, 550)
        cast = self._fresh_cast(_recast(rng, wire.cast))
        for _ in range(10):
            writer = _Writer(rng, cast, self.reg)
            headline = (writer._fresh(writer.headline, forbid)
                        or f"{cast.city} {writer.group()} react to {writer.noun()}")
            body = writer.body(n_par, words, forbid)
            text = headline + "\n" + "\n".join(" ".join(p) for p in body)
            if body and forbid.isdisjoint(self.reg.keys8(text)):
                break
        else:  # no clean draw (sentences meeting across a boundary): keep what adds none
            kept: list[list[str]] = []
            for par in body:
                trial = "\n".join(" ".join(p) for p in [*kept, par])
                if forbid.isdisjoint(self.reg.keys8(headline + "\n" + trial)):
                    kept.append(par)
            body = kept or [[f"{cast.city} is waiting."]]
        paragraphs = [[(s, None) for s in par] for par in body]
        date = wire.date + timedelta(minutes=rng.randrange(-2 * 24 * 60, 2 * 24 * 60))
        self._publish(outlet, (outlet.headline(headline), None), paragraphs, writer, cast,
                      [], story=story, role="hard-negative", topic=wire.topic,
                      date=date, agency=None, wire=None, related=wire.story, forbid=forbid)

    # -- dressing and output ---------------------------------------------------------
    def _publish(self, outlet: Outlet, head: _Piece, paragraphs: list[list[_Piece]],
                 writer: _Writer, cast: _Cast, doc_edits: list[str], *, story: str, role: str,
                 topic: str, date: datetime, agency: str | None, wire: _Wire | None,
                 related: str | None = None, synthetic: bool = True,
                 forbid: set[int] | None = None) -> None:
        """Add the outlet's dateline, captions and boilerplate, then emit with truth.

        Datelines and captions come from the cast, so text from a base corpus
        (``synthetic=False``) gets neither. With ``forbid`` (a hard negative's story
        8-grams) a dateline or caption is left out where its new neighbours would form one.
        """
        rng = self.rng
        if outlet.is_wire:
            self.reg.commit(writer.grams)
            return self._emit_dressed(outlet, head, paragraphs, doc_edits, story, role, topic,
                                      date, wire, related)
        if outlet.dateline and synthetic and paragraphs and paragraphs[0]:
            dash = outlet.dash.strip()
            line = f"{cast.city.upper()}, {cast.region} {dash}"
            if _fits(paragraphs, 0, line, forbid, self.reg):
                paragraphs[0] = [(line, None), *paragraphs[0]]
                doc_edits.append("dateline")
        if synthetic and rng.random() < outlet.caption_rate:
            credit = agency or outlet.name
            for k in range(rng.choice((1, 1, 2))):
                cap = writer.write(lambda: writer.caption(credit))
                at = rng.randint(1, min(3, len(paragraphs)))
                if not _fits(paragraphs, at, cap, forbid, self.reg):
                    continue
                paragraphs.insert(at, [(cap, ("cap", k, False))])
                if "captions" not in doc_edits:
                    doc_edits.append("captions")
                if rng.random() < outlet.caption_dup_rate:
                    # Scrapers repeat a caption next to itself or further down.
                    again = rng.choice((at + 1, rng.randint(at + 1, len(paragraphs))))
                    if _fits(paragraphs, again, cap, forbid, self.reg):
                        paragraphs.insert(again, [(cap, ("cap", k, True))])
                        doc_edits.append("caption-duplicated")
        fill = {"O": outlet.name.removeprefix("The "), "T": outlet.town, "S": cast.topic,
                "A": agency or outlet.name, "slug": outlet.slug}
        blocks = 0
        for templates, where in ((outlet.top, "top"), (outlet.mid, "mid"),
                                 (outlet.bottom, "bottom")):
            for t in templates:
                if rng.random() < 0.1 or ("{A}" in t and agency is None):
                    continue
                piece = [(t.format(**fill), ("bp",))]
                if where == "top":
                    paragraphs.insert(0, piece)
                elif where == "mid":
                    paragraphs.insert(rng.randint(1, len(paragraphs)), piece)
                else:
                    paragraphs.append(piece)
                blocks += 1
        if blocks:
            doc_edits.append("boilerplate")
        if outlet.curly or outlet.nbsp or outlet.dash != " \u2014 ":
            doc_edits.append("typography")
        self.reg.commit(writer.grams)
        return self._emit_dressed(outlet, head, paragraphs, doc_edits, story, role, topic,
                                  date, wire, related)

    def _emit_dressed(self, outlet: Outlet, head: _Piece, paragraphs: list[list[_Piece]],
                      doc_edits: list[str], story: str, role: str, topic: str,
                      date: datetime, wire: _Wire | None, related: str | None) -> None:
        doc = self._doc_id()
        text, spans = _assemble(outlet, head, paragraphs)
        first_caption: dict[int, tuple[int, int]] = {}
        for start, end, tag, final, raw in spans:
            if tag is None:
                continue
            kind = tag[0]
            if kind == "d" and wire is not None:
                i, done = tag[1], tag[2]
                src, src_text = wire.spans[i], wire.sentences[i]
                group = f"{wire.story}:{i}"
            elif kind == "h" and wire is not None:
                done = tag[1]
                src, src_text, group = wire.head_span, wire.headline, f"{wire.story}:h"
            elif kind == "bp":
                first = self.boilerplate.setdefault(final, (f"bp{len(self.boilerplate)}", doc,
                                                            start, end))
                self._truth(doc, start, end, first[1], first[2], first[3], None, first[0],
                            "boilerplate", "boilerplate")
                continue
            elif kind == "cap":
                if not tag[2]:
                    first_caption[tag[1]] = (start, end)
                else:
                    s0, e0 = first_caption[tag[1]]
                    self._truth(doc, start, end, doc, s0, e0, story, f"{doc}:c{tag[1]}",
                                "duplicate", "duplicate")
                continue
            else:
                continue
            if final == src_text:
                edit = "reordered" if "reordered" in done else "verbatim"
            else:
                labels = list(done)
                if final != raw:
                    labels.append("typography")
                edit = "+".join(labels) or "typography"
            self._truth(doc, start, end, wire.doc, src[0], src[1], wire.story, group,
                        "derived", edit)
        self._emit(doc, outlet.name, date, spans[0][3], text, story=story, role=role,
                   topic=topic, edits=doc_edits, source_doc=wire.doc if wire else None,
                   related=related)

    def _truth(self, doc: str, start: int, end: int, sdoc: str, sstart: int, send: int,
               story: str | None, group: str, kind: str, edit: str) -> None:
        self.n_truth += 1
        if self.sink.files:
            # The hot path at scale: every field is a plain ASCII id or an int, so this
            # is byte-identical to the JSON encoder's output, and several times faster.
            st = f'"{story}"' if story is not None else "null"
            self.sink.files[1].write(
                f'{{"doc":"{doc}","start":{start},"end":{end},"source_doc":"{sdoc}",'
                f'"source_start":{sstart},"source_end":{send},"story":{st},'
                f'"group":"{group}","kind":"{kind}","edit":"{edit}"}}\n')
            return
        self.sink.put(1, {"doc": doc, "start": start, "end": end, "source_doc": sdoc,
                          "source_start": sstart, "source_end": send, "story": story,
                          "group": group, "kind": kind, "edit": edit})

    def _emit(self, doc: str, outlet: str, date: datetime, title: str, text: str, *,
              story: str, role: str, topic: str, edits: list[str],
              source_doc: str | None = None, related: str | None = None) -> None:
        iso = date.isoformat()
        self.sink.put(0, {"id": doc, "outlet": outlet, "date": iso, "title": title,
                          "text": text})
        self.sink.put(2, {"id": doc, "story": story, "role": role, "outlet": outlet,
                          "date": iso, "topic": topic, "source_doc": source_doc,
                          "related_story": related, "edits": edits,
                          "words": len(text.split())})
        self.roles[role] += 1


# --------------------------------------------------------------------------- base corpus

_SENT_END = re.compile(r"[.!?][\"'\u201d\u2019)]*\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")


def _split_sentences(par: str) -> list[str]:
    out, start = [], 0
    for m in _SENT_END.finditer(par):
        out.append(par[start: m.end()].strip())
        start = m.end()
    out.append(par[start:].strip())
    return [s for s in out if s]


def _read_base(path: Path) -> Iterator[tuple[str, list[list[str]]]]:
    """Stories from a JSONL file with ``text`` (and optional ``title``) per line."""
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                text = str(rec["text"])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{line_no}: expected a JSON object with 'text'") from exc
            blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
            if len(blocks) < 3:
                blocks = [b.strip() for b in text.splitlines() if b.strip()]
            blocks = [" ".join(b.split()) for b in blocks]
            while blocks and len(blocks[0].split()) < 4:  # scraped debris ("close", "Menu")
                blocks.pop(0)
            title = " ".join(str(rec.get("title") or "").split())
            if not title and blocks and len(blocks[0].split()) <= 25:
                title = blocks.pop(0)
            paragraphs = [_split_sentences(b) for b in blocks]
            if not title and paragraphs:
                title = paragraphs[0].pop(0)
                paragraphs = [p for p in paragraphs if p]
            if len(paragraphs) >= 3:
                yield title, paragraphs


# --------------------------------------------------------------------------- entry point


def generate(
    n_docs: int,
    *,
    seed: int = 0,
    out_dir: str | Path | None = None,
    base_corpus: str | Path | None = None,
    unrelated_rate: float = 0.15,
    hard_negative_rate: float = 0.06,
    max_versions: int = 8,
    n_outlets: int = 60,
) -> GeneratedCorpus:
    """Generate ``n_docs`` documents and their ground truth, deterministically for ``seed``.

    Documents come as wire stories with 0 to ``max_versions`` outlet versions (0 for a
    fifth of stories, else uniform), unrelated stories (about ``unrelated_rate`` of the
    documents) and hard negatives (about ``hard_negative_rate``); the last story's
    versions are cut so the count is exact.
    With ``out_dir`` the records stream to JSONL files (see the module docstring) and
    the result holds their paths; without it they are returned as lists. With
    ``base_corpus`` (JSONL with ``text``, optional ``title``) its articles are used in
    order as wire and unrelated stories until it runs out; it should hold no shared
    material of its own.

    >>> c = generate(12, seed=3)
    >>> c.n_docs, sum(c.roles.values()), c.n_truth == len(c.truth)
    (12, 12, True)
    """
    if not isinstance(n_docs, int) or n_docs < 0:
        raise ValueError(f"n_docs must be an integer >= 0, got {n_docs!r}")
    for name, rate in (("unrelated_rate", unrelated_rate),
                       ("hard_negative_rate", hard_negative_rate)):
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"{name} must be in [0.0, 1.0], got {rate}")
    if unrelated_rate + hard_negative_rate > 0.95:
        raise ValueError("unrelated_rate + hard_negative_rate must be <= 0.95")
    if not 1 <= n_outlets <= 2000:
        raise ValueError(f"n_outlets must be in [1, 2000], got {n_outlets}")
    if not 0 <= max_versions <= n_outlets:
        raise ValueError(f"max_versions must be in [0, n_outlets={n_outlets}], got {max_versions}")
    t0 = time.perf_counter()
    out = Path(out_dir) if out_dir is not None else None
    sink = _Sink(out)
    base = _read_base(Path(base_corpus)) if base_corpus is not None else None
    gen = _Generator(n_docs, seed, sink, base=base, unrelated_rate=unrelated_rate,
                     hard_negative_rate=hard_negative_rate, max_versions=max_versions,
                     n_outlets=n_outlets)
    try:
        gen.run()
    finally:
        sink.close()
    result = GeneratedCorpus(
        n_docs=gen.n_emitted, seed=seed, n_stories=gen.n_stories, n_truth=gen.n_truth,
        roles=dict(gen.roles), outlets=[o.name for o in gen.outlets],
        fresh_failures=gen.reg.failures, redrawn=gen.reg.redrawn,
    )
    if out is None:
        result.documents, result.truth, result.meta = (list(x) for x in sink.lists)
    else:
        result.out_dir = out
        result.documents_path = out / "documents.jsonl"
        result.truth_path = out / "truth.jsonl"
        result.meta_path = out / "docs_meta.jsonl"
        summary = {
            "n_docs": result.n_docs, "seed": seed, "n_stories": result.n_stories,
            "n_truth": result.n_truth, "roles": result.roles,
            "fresh_failures": result.fresh_failures,
            "params": {"unrelated_rate": unrelated_rate, "hard_negative_rate": hard_negative_rate,
                       "max_versions": max_versions, "n_outlets": n_outlets,
                       "base_corpus": str(base_corpus) if base_corpus else None},
        }
        (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        result.bytes_written = sum(p.stat().st_size for p in (
            result.documents_path, result.truth_path, result.meta_path))
    result.seconds = time.perf_counter() - t0
    return result


# --------------------------------------------------------------------------- background rate


@dataclass(frozen=True)
class BackgroundRate:
    """How much text unrelated stories share by accident (and hard negatives by design).

    ``share_5gram``/``share_8gram``: fraction of sampled pairs of unrelated stories that
    share at least one word 5-gram / 8-gram; ``mean_jaccard_5``: mean Jaccard similarity
    of their 5-gram sets. The ``hard_*`` fields are the same over (story, hard negative)
    pairs; ``hard_share_8gram`` should be 0.

    ``sentences``: content sentences (headlines included; boilerplate and scraped
    duplicate captions left out) of every document looked at, outlet versions included;
    ``shared_sentences``: how many of them share a word 6-gram with a content sentence of
    a *different* story (a story's own wire copy and versions do not count, its hard
    negatives do); ``share_sentences`` is the ratio. The generator keeps it at 0 (see
    ``GeneratedCorpus.fresh_failures`` for the sentences it could not redraw).
    """

    pairs: int
    share_5gram: float
    share_8gram: float
    mean_jaccard_5: float
    hard_pairs: int = 0
    hard_share_5gram: float = 0.0
    hard_share_8gram: float = 0.0
    hard_mean_jaccard_5: float = 0.0
    docs: int = 0
    sentences: int = 0
    shared_sentences: int = 0
    share_sentences: float = 0.0


def _overlap(pairs: list[tuple[set[Any], set[Any], set[Any], set[Any]]]
             ) -> tuple[float, float, float]:
    if not pairs:
        return 0.0, 0.0, 0.0
    s5 = s8 = 0
    jac = 0.0
    for a5, b5, a8, b8 in pairs:
        inter = len(a5 & b5)
        s5 += inter > 0
        s8 += not a8.isdisjoint(b8)
        union = len(a5) + len(b5) - inter
        jac += inter / union if union else 0.0
    n = len(pairs)
    return s5 / n, s8 / n, jac / n


def background_rate(texts: Sequence[str], *, pairs: int = 2000, seed: int = 0) -> BackgroundRate:
    """Shared word n-grams between texts assumed unrelated (one per story).

    Samples ``pairs`` distinct pairs (all of them when there are fewer).

    >>> r = background_rate(["a b c d e f g h", "a b c d e x y z", "p q r s t u v w"])
    >>> r.pairs, round(r.share_5gram, 3), r.share_8gram
    (3, 0.333, 0.0)
    """
    idx = _sample_pairs(len(texts), pairs, seed)
    grams = {i: (ngrams(texts[i], 5), ngrams(texts[i], 8))
             for i in sorted({i for p in idx for i in p})}
    s5, s8, jac = _overlap([(grams[i][0], grams[j][0], grams[i][1], grams[j][1])
                            for i, j in idx])
    return BackgroundRate(len(idx), s5, s8, jac)


def _sample_pairs(n: int, k: int, seed: int) -> list[tuple[int, int]]:
    total = n * (n - 1) // 2
    if total <= k:
        return [(i, j) for i in range(n) for j in range(i + 1, n)]
    rng = random.Random(seed)
    seen: set[tuple[int, int]] = set()
    out: list[tuple[int, int]] = []
    while len(out) < k:
        i, j = rng.randrange(n), rng.randrange(n)
        if i == j:
            continue
        p = (min(i, j), max(i, j))
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


# "KYIV, Ukraine — ": an outlet's dateline, glued to the lead but no part of the story.
_DATELINE = re.compile(r"^[A-Z][A-Z .'-]*, [A-Z][\w .'-]*? ?(?:\u2014|\u2013|--) ")


def _content_sentences(text: str) -> Iterator[str]:
    """The sentences of a document text (headline first), datelines cut off."""
    for par in text.split("\n"):
        par = _DATELINE.sub("", par.strip(), count=1)
        if par:
            yield from _split_sentences(par)


def _gram_keys(sentence: str, n: int) -> set[int]:
    w = _WORD_RE.findall(sentence.lower())
    return set(map(hash, zip(*(w[i:] for i in range(n)), strict=False)))


def sentence_overlap(docs: Sequence[tuple[Any, str]], n: int = 6) -> tuple[int, int]:
    """``(sentences, shared)``: content sentences of ``docs`` (``(story, text)`` pairs,
    paragraphs separated by newlines) and how many share a lower-cased word ``n``-gram
    with a sentence of a document of another story.

    >>> sentence_overlap([(1, "Title here.\\nOne two three four five six seven."),
    ...                   (1, "Two three four five six seven eight."),
    ...                   (2, "Other title.\\nZero one two three four five six.")])
    (5, 2)
    """
    many = object()
    owner: dict[int, Any] = {}
    for story, text in docs:
        for s in _content_sentences(text):
            for h in _gram_keys(s, n):
                o = owner.setdefault(h, story)
                if o is not many and o != story:
                    owner[h] = many
    total = shared = 0
    for _story, text in docs:
        for s in _content_sentences(text):
            total += 1
            shared += any(owner[h] is many for h in _gram_keys(s, n))
    return total, shared


def _iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def corpus_background_rate(corpus: GeneratedCorpus | str | Path, *, max_docs: int = 3000,
                           pairs: int = 2000, seed: int = 0) -> BackgroundRate:
    """:func:`background_rate` over a generated corpus, plus the hard-negative figures
    and the sentence-level 6-gram figures (:func:`sentence_overlap`).

    Looks at the first ``max_docs`` documents (the files are read only that far). The
    pair figures take one text per story: wire copies and unrelated stories; the
    sentence figures take every document. Boilerplate and scraped duplicate captions
    are cut out first (their truth spans), since those are shared on purpose. Hard
    negatives are compared with the wire copy of the story they imitate.
    """
    if isinstance(corpus, GeneratedCorpus) and corpus.documents is not None:
        docs_it: Any = iter(corpus.documents)
        meta_it: Any = iter(corpus.meta or [])
        truth_it: Any = iter(corpus.truth or [])
    else:
        root = corpus.out_dir if isinstance(corpus, GeneratedCorpus) else Path(corpus)
        if root is None:
            raise ValueError("corpus has neither records in memory nor an out_dir")
        docs_it = _iter_jsonl(root / "documents.jsonl")
        meta_it = _iter_jsonl(root / "docs_meta.jsonl")
        truth_it = _iter_jsonl(root / "truth.jsonl")
    meta: dict[str, dict[str, Any]] = {}
    texts: dict[str, str] = {}
    for m, d in zip(meta_it, docs_it, strict=False):
        if len(meta) >= max_docs:
            break
        meta[m["id"]] = m
        texts[m["id"]] = d["text"]
    cuts: dict[str, list[tuple[int, int]]] = {}
    last = max(meta, default="")  # ids grow in file order, so truth past it is not needed
    for t in truth_it:
        if t["doc"] not in meta:
            if t["doc"] > last:
                break
            continue
        if t["kind"] != "derived":
            cuts.setdefault(t["doc"], []).append((t["start"], t["end"]))
    for doc, spans in cuts.items():
        text = texts[doc]
        for a, b in sorted(spans, reverse=True):
            text = text[:a] + text[b:]
        texts[doc] = text
    primary = [d for d, m in meta.items() if m["role"] in ("wire", "unrelated")]
    base = background_rate([texts[d] for d in primary], pairs=pairs, seed=seed)
    wire_of = {meta[d]["story"]: d for d in primary if meta[d]["role"] == "wire"}
    hard = []
    for d, m in meta.items():
        w = wire_of.get(m.get("related_story") or "")
        if m["role"] == "hard-negative" and w is not None:
            hn, wt = texts[d], texts[w]
            hard.append((ngrams(hn, 5), ngrams(wt, 5), ngrams(hn, 8), ngrams(wt, 8)))
    h5, h8, hj = _overlap(hard)
    n_sent, shared = sentence_overlap([(m["story"], texts[d]) for d, m in meta.items()])
    return BackgroundRate(base.pairs, base.share_5gram, base.share_8gram, base.mean_jaccard_5,
                          len(hard), h5, h8, hj, len(meta), n_sent, shared,
                          shared / n_sent if n_sent else 0.0)


# --------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.generate --docs 1000 --seed 0 --out DIR``."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__
                                 .split("\n\n")[0])
    ap.add_argument("--docs", type=int, required=True, help="number of documents")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--base-corpus", help="JSONL with 'text' to use as wire stories")
    ap.add_argument("--unrelated-rate", type=float, default=0.15)
    ap.add_argument("--hard-negative-rate", type=float, default=0.06)
    ap.add_argument("--max-versions", type=int, default=8)
    ap.add_argument("--background", action="store_true",
                    help="also measure the background rate of shared n-grams")
    args = ap.parse_args(argv)
    try:
        c = generate(args.docs, seed=args.seed, out_dir=args.out, base_corpus=args.base_corpus,
                     unrelated_rate=args.unrelated_rate,
                     hard_negative_rate=args.hard_negative_rate, max_versions=args.max_versions)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    roles = ", ".join(f"{k} {v}" for k, v in c.roles.items())
    print(f"{c.n_docs} documents ({roles}), {c.n_stories} stories, {c.n_truth} truth "
          f"passages; {c.bytes_written / 1e6:.1f} MB in {c.seconds:.1f} s -> {c.out_dir}")
    print(f"{c.fresh_failures} sentences kept that share a word 6-gram with another story "
          f"(no fresh one in {_Registry.TRIES} draws); {c.redrawn} draws were redrawn")
    if args.background:
        b = corpus_background_rate(c, max_docs=max(1, min(c.n_docs, 10000)))
        print(f"background over {b.pairs} unrelated pairs: share 5-gram {b.share_5gram:.4f}, "
              f"share 8-gram {b.share_8gram:.4f}, mean 5-gram Jaccard {b.mean_jaccard_5:.5f}")
        print(f"hard negatives ({b.hard_pairs}): share 5-gram {b.hard_share_5gram:.3f}, "
              f"share 8-gram {b.hard_share_8gram:.3f}, "
              f"mean 5-gram Jaccard {b.hard_mean_jaccard_5:.4f}")
        print(f"sentences ({b.docs} documents): {b.shared_sentences} of {b.sentences} content "
              f"sentences ({b.share_sentences:.4%}) share a word 6-gram with another story")
    return 0


if __name__ == "__main__":
    sys.exit(main())
