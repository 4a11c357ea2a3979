//! The trigram profiles of `whatlang` 0.16.4 (MIT licence, Sergey Potapov and
//! contributors) for the Latin-script languages of the language check's allowlist, in the
//! order of that crate's `LATIN_LANGS`: each language's 300 most frequent trigrams, most
//! frequent first, written one after another (three characters each). Generated from
//! `src/trigrams/profiles.rs`; `latin.rs`'s tests check that detection with them gives
//! `whatlang`'s answers.
//!
//! `whatlang`'s licence (its repository's `LICENSE`), for these tables:
//!
//! > (The MIT License)
//! >
//! > Copyright (c) 2017 Sergey Potapov <blake131313@gmail.com>
//! > Copyright (c) 2014 Titus Wormer <tituswormer@gmail.com>
//! > Copyright (c) 2008 Kent S Johnson
//! > Copyright (c) 2006 Jacob R Rideout <kde@jacobrideout.net>
//! > Copyright (c) 2004 Maciej Ceglowski
//! >
//! > Permission is hereby granted, free of charge, to any person obtaining
//! > a copy of this software and associated documentation files (the
//! > 'Software'), to deal in the Software without restriction, including
//! > without limitation the rights to use, copy, modify, merge, publish,
//! > distribute, sublicense, and/or sell copies of the Software, and to
//! > permit persons to whom the Software is furnished to do so, subject to
//! > the following conditions:
//! >
//! > The above copyright notice and this permission notice shall be
//! > included in all copies or substantial portions of the Software.
//! >
//! > THE SOFTWARE IS PROVIDED 'AS IS', WITHOUT WARRANTY OF ANY KIND,
//! > EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
//! > MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
//! > IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY
//! > CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT,
//! > TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
//! > SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

use whatlang::Lang;

pub(crate) const PROFILES: [(Lang, &str); 12] = [
    (
        Lang::Spa,
        concat!(
            " deos de  lala  y  a es \u{F3}n i\u{F3}nrecereder coe lel en ienchoent",
            "echci\u{F3}acio aa p ela lal as e d enna onas dda nte toad enecon",
            " pr sutod seho los peperers loo d tician dcio esidaresa ttie",
            "ionrsote do  inson re lito dadtade sestproquemen poa eodanci",
            " qu unue ne n es ylibsu  nas enacia e etra paor adoa dnesra ",
            "se uala cer porcomnalrtaa sber o ones pdosr\u{E1} stalesdesibeser",
            "eraar ertter dialel dntohosdelicaa as nn cociimiio o ere y l",
            "e cantcci aslasparame cuiciaraencs tndi soo smietosunabredic",
            "clas le al pprentro tialy anidn pa ymanomoso n l alalis ano ",
            " igs se pntaumatenguaadey esocmo  fuiguo pn thumd dranriay d",
            "adativl ecas cavidl ts cidodasdiss i hus onadfun maracndaeli",
            "sarund acunimbra udiee iquia i halar trodoca tico yctilidori",
            "ndoari meta indesacuaun iertalespsegeleonsitoontivas hd ynos",
            "istrse lecieideediecciosl mr emedtorstin arimuiepletriibrsus",
            "lo ectpeny can e hn serntarl yegugururaintondmatl rr aisfote",
        ),
    ),
    (
        Lang::Eng,
        concat!(
            " ththe anhe nd andion ofof tio toto on  inal atiighghtrig ri",
            "or entas ed is ll in  bee rne oneveralls tevet t frs a ha re",
            "ty ery ord t prht  co eve he ang ts hisingbe yon shce reefre",
            "ryon thermennatshapronaly ahases for hihalf tn an ont  pes o",
            " fod inceer onsrese sectityly l bry e eerse ian e o dectidom",
            "edoeedhtsteronare  no wh a  und f asny l ae pere en na winit",
            "nted aanyted dins stath perithe tst e cy tom soc arch t od o",
            "ntis eequve ociman fuoteothess al acwitial mauni serea so on",
            "litintr ty oencthiualt a eqtatquaive stalie wl oaref hconte ",
            "led isundciae fle  lay iumaby  byhumf aic  huavege r a woo a",
            "ms com meeass dtec lin een rattitplewheateo ts rt frot chcie",
            "disagearyo oancelino  fa susonincat ndahouwort inderomoms ot",
            "g temetleitignis witlducd wwhiacthicaw law heichminimiorto s",
            "se e bntrtraeduountane dnstl pd nld ntas iblen p pun s atily",
            "rththofulssidero ecatucauntien edo ph aeraindpensecn wommr s",
        ),
    ),
    (
        Lang::Por,
        concat!(
            "os de  de a  e o dto \u{E3}o  dientda itoem  coeitas dires irerei",
            " se\u{E7}\u{E3}oadea pdade ds dmenntedo s e pr pedos to daa ao e o o a",
            "esscontodque qute e a doal residam d in ouer sso na re poa s",
            " liumaciaar proe ea d tea\u{E7}\u{E3}a t es suou ue s ptosa edesra com",
            "no ameia e ptemnto pais esttra\u{F5}esna s oodadassersoas npeso p",
            "s ao se o em as \u{E0} o oaisberadooa o te smansuaua  no osa cter",
            "\u{E7}\u{F5}eerdlibrdas snciibee nicaodoso nalntrs thumura aoonaual so",
            "or ma stao ca nprearaeraonse tr aparo \u{E0} huindporcioriam as c",
            " uma lguaran enndio ie cra\u{E7}ionnidacianosoce roci acundsennos",
            "nsirecimealiintum pernac alm or p fundoonta\u{E7}\u{F5} igigufunnta ma",
            "unic\u{E7}\u{E3}ere exa i meeseriol da os hpeladapriideam m ppods f\u{E9}m ",
            "a fio odeca italidtive fvidr eespndaomoe lna\u{E7}o ranta qtadlic",
            "iva favers lialclanguing camo der vieliistta se atiiosidor o",
            "ecidis une ir dec\u{E7}o qs iqua\u{EA}nca mseustininuerrarcasaosensgu\u{E9}",
            "iassidu\u{E9}mturdamsseao elal efortecote plena trm ctro niicorot",
        ),
    ),
    (
        Lang::Ind,
        concat!(
            "an ang dang  peak  ke meata sedankan di behakberperranngayan",
            "eng ya haasaganmenaranyan pn dn ka dtan atat oraalasan baap ",
            "erhn brhaya  mag ba spenebaas aanuk ntu oretitasakatiabanset",
            " unn stern y tek mtukbasiaplambebam  dek akebn mi duntamadal",
            "ah ikadakebep osa punmemn henddenra elari nda sadi ma a mn t",
            "k dn anggtaumangareriasi tiun al adaum a plakariau  nenega b",
            "ngsta olelehertersidak hanagsadarukatidbatsiaeraeh dapiladil",
            "h datusamia i m inlanahauantu ai t da ag dharsemna apaserena",
            "katuaterberlmasrtaegaungnanempn ukuml dg s huka entpatmbaaga",
            "ntaadi sueniukun ihukindar rgai sakundisuani rushansi carnny",
            " lain u dik ua lahrikusiembannmerianggalaimina uluaemaemuarg",
            "dundipa tmatayarbuaruerkrkainiekaa krakkesyatibanasrmaernese",
            "s pnus puanuina tamelmuakelk sus ndunakda syadaspemlinut yar",
            "amiupuseoaikeorinyauptakipeingtin andikuarilig trsesarantg p",
            "a naksain jat p umg mdirksaumukepmumi kecaratm ph pabasesm m",
        ),
    ),
    (
        Lang::Fra,
        concat!(
            " dees de ionnt et tio etent lala e don ne oite lle  les de p",
            "t datiroi drdroit  \u{E0}  cot\u{E9} ns te e smenre  tocon l\u{2019}touque qu",
            "les sodesson peons uns ls e prue  pae ct lts onn aue aemee e",
            " liontantoututet \u{E0}resers sace  a trepera dctier libit\u{E9} enux ",
            " reen rso\u{E0} l ou inlleun natou nnen dune d\u{2019} separnteus ur s s",
            "ansdana pr lproits\u{E9}s t piree ts psa  d\u{E9}ond\u{E9} da lnceertauxomm",
            "nalme  na foiqu cert\u{E9}ectalebert as a dammeibesane r pocomal ",
            "s cquiourt e nee nousr daliter difone oau  chairui ell eslit",
            "s niss\u{E9}ratessocautoci\u{EA}trienintdu est\u{E9}t\u{E9}trapou plratar ranrai",
            "s oonaaincla\u{E9}gaancrs eurprin ce ms t\u{E0} u dourebreut  \u{EA}tage \u{E9}t",
            "nsisureinsenserndiensessntrir  macian pst a c dul e sublige ",
            "r\u{E9}s r\u{E9}e qassndapeu\u{E9}e l\u{2019}a tea statil t\u{E9}saisu dineind\u{E9} equ\u{2019} ac",
            "s in tt cn al\u{2019}ht qsoit scunrit \u{E9}goir\u{2019}enntahom onn e moie ign",
            "relnnat il n trillples \u{E9}l\u{2019}ereca rotesseuniid\u{E9}ives ut \u{EA}insact",
            " fan s vigal asligssapr\u{E9}leue flicdisver nutenssirottecs mabl",
        ),
    ),
    (
        Lang::Deu,
        concat!(
            "en er der unnd undeinungcht deichschng  geie cheech didierec",
            "genineeit rech  dan dverhen zut d auht  halicit tenrei bein ",
            " ve in eindeaufdenedezu n suf frene teres  jejedn u anseiand",
            " frrunat  see udasheis rhtehatnscnger has ens alerellet a we",
            "n grdenteesemen ododenerg dallt uerste nen sod dn abenlei gr",
            " vowere aegeion stigele cha mehafaftn jren ererkentbei sieih",
            "ihekeierdtign ion lunr dlengemiesgrutliuntchuerngesende sft ",
            "st isttioati glstagunmitsenn n nan zite wir geice eei lier s",
            "n wglemeide uchem chlnatrcht wdesn ehrealesprd fachsser e sc",
            "urcr mniee ffene ge d nidurdarint dugehiedt s mialtherhabf g",
            "sicstetaaaathe angruchlitz emeabeh an vnungegarfrf ehepru is",
            "erfe mansndle btunn od gn rr vwieberr aarbbest ih dr wr b ih",
            "d sigkgkenspdigemaellerun finsrbeffeescigugerstrkene vgewhan",
            "indrt  arie\u{DF}n hrn manr ihututzd als ebevonlter orlietztraaus",
            "dethule ionenneiscsonselet ohnt gsam farstrklseriemg vt zerr",
        ),
    ),
    (
        Lang::Vie,
        concat!(
            "ng \u{323}c \u{301}c  qu tha\u{300} nh  ng\u{323}i  nhva\u{300} va\u{300}n uy\u{EA} ph caquy\u{EA}\u{300}ny\u{EA}\u{300}\u{300}i ",
            " ch\u{300}nh tr cung\u{1B0}i ng\u{1B0}\u{1A1}\u{1B0}\u{1A1}\u{300}\u{301}t \u{1A1}\u{300}i gia\u{301}c co\u{323}t o\u{301} c t\u{1B0}\u{323} n tca\u{301}\u{F4}ng",
            " kh\u{1B0}\u{1A1}\u{323}\u{1A1}\u{323}c t\u{1B0} \u{111}\u{1B0}i\u{EA}\u{323}\u{111}\u{1B0}\u{1A1}i\u{300}n\u{301}i  haco\u{301}i \u{111}gia \u{111}\u{EA}pha moo\u{323}imo\u{323}nh\u{1B0}n n",
            "cu\u{309} ba\u{323}n \u{309}a u\u{309}an c\u{300}u \u{303}ng\u{E2}n \u{EA}\u{300}u\u{E2}\u{301}t bit\u{1B0}\u{323}h\u{F4}n vig t lan \u{111}\u{111}\u{EA}\u{300}nh\u{E2}",
            " tit c \u{111}\u{F4}\u{EA}n ba\u{309}hi\u{EA}u c t\u{F4}do h\u{E2}n doch \u{301} q\u{300} t na\u{301}n ay  hia\u{300}n\u{323} d",
            "\u{1A1}\u{301}iha\u{301} \u{111}ihayg n m\u{F4}\u{F4}\u{301}cu\u{F4}\u{301}n v\u{F4}\u{323}ih\u{1B0}\u{303}th\u{1B0}\u{301}p qu\u{F4} ho\u{323}p na\u{300}a\u{300}o\u{300}ng\u{309}n ",
            "i\u{323} \u{301}ch\u{F4}n \u{300}o kh\u{F4}c hi cc \u{111} h\u{F4}i vtro \u{111}a\u{301}ngm\u{F4}\u{323}i t\u{F4}\u{323}tg via \u{323}nga\u{309}n",
            "\u{1B0}\u{1A1}\u{301}\u{1B0}\u{303}n\u{309}ngh th\u{1B0} \u{EA}\u{323}nn b\u{F4}\u{323}ca\u{309} la\u{300}c cg c \u{111}o\u{309} cn hha\u{300}h\u{F4}\u{323} b\u{E2}a\u{303} \u{300}y ",
            " v\u{1A1}\u{323} t\u{309}i i\u{EA}\u{301} c\u{F4}t tg \u{111}\u{1B0}\u{301}ci\u{EA}n v\u{EA}vi\u{EA}v\u{1A1}\u{301}h v\u{1A1}\u{301}c\u{1B0}\u{323}c\u{E2}\u{323}ttha\u{309}m ronong",
            "a\u{301}pg bh\u{1B0}\u{1A1} s\u{1B0}a cs\u{1B0}\u{323}\u{309}o a\u{309}oh c\u{EA}\u{309} o vu\u{E2}\u{323}a m\u{EA}\u{301} ia\u{301}\u{300} cchoquaha\u{323}u\u{323}c",
            " mi\u{300} nph\u{E2}c qc\u{F4}no ca\u{301} i ha\u{323}i h\u{1A1}\u{303} h c\u{1B0}n lbi\u{323} lub\u{E2}\u{301}ca\u{309}i\u{301}nh \u{111} xa",
            "\u{111}\u{F4}\u{323}g hc nc pthua\u{309}i\u{EA}\u{323}  h\u{1B0}\u{301} co n n\u{1B0}\u{F4}\u{301}n\u{301}o a\u{301}oxa\u{303}oa\u{300}y tha\u{309}t\u{F4}\u{323}\u{323} c",
            " t\u{E2}th\u{F4} dum vmi\u{300}ho h\u{1B0}\u{301}\u{EA}\u{323}c\u{301} th\u{1A1}\u{323}a\u{301}nn pcu\u{303}u\u{303}ni\u{EA}\u{309}\u{F4}\u{301}iti\u{EA}\u{EA}\u{300} h\u{E2}\u{301}\u{1A1}\u{323}p",
            "hoay \u{111}chio h\u{1A1}\u{309} a\u{300}y\u{309} t\u{111}o\u{301}c lv\u{EA}\u{300}\u{300} \u{111}i bkhac b \u{111}\u{E2}lu\u{E2}ai \u{309} n\u{111}\u{F4}\u{301}\u{EA}\u{301}t",
            "h\u{1B0}\u{323}trip qn\u{1B0}\u{1A1}du\u{323}hi\u{301}g qy\u{EA}nho\u{323}\u{301}nh ta b\u{103}c gn gth\u{EA}o tc vam c man ",
        ),
    ),
    (
        Lang::Ita,
        concat!(
            " dito  deion inla e ddi ne  e ziore le ni ellonellarita do d",
            "delittiridir coti essent alazittote i di ieret\u{E0}  prndie lale",
            "o ainde ee igninteconi eli a s unmenogn neuo  ogidue aividuo",
            "vid estti hadiv lia pno allproza atopersseser soi s la sue p",
            " peibena a l ilbere nil alilibha chein o se s quo eia e c ri",
            "nzata ntohe onio i o stao cnel a o pnaze oso  poo hglii uond",
            "i cersamei plleun erari verro el unaa c chertua i assirt\u{E0}a e",
            "ei disant l tata aonaual leit\u{E0}areter adnit dapridei\u{E0} ecia st",
            " sinalesttutistcomuni edono nasuaal si anz pa rerazguaitares",
            "dersocmano oad i oesequeenzed  seio etton  tudic\u{E0} dsiai rrso",
            "ocirioariquaialpreichratientraaniumase ll eria no n umdo ara",
            "a tzzaer triatticoposscii lsonndapare ufon fontiuzistruttati",
            "senintnesiar i hian cstichiannra  egeguispbilonta r norop me",
            "oprost mauesicassotalciesunlitoreinaitetan ranongiod ae rdev",
            "i ml iezzizi cunnor\u{E0} a ittarialiacosssudall p asassopove eve",
        ),
    ),
    (
        Lang::Tur,
        concat!(
            " ve have lerlarir in hak heherbirer an ar\u{131}eriya  biak r heti",
            "\u{131}n iyeyet kaas\u{131}\u{131}n\u{131} oltleeyakk\u{131}araakketls\u{131}nesina de ek  tanda",
            "ini builer\u{131}nrinveyne klae hine\u{131}r ereamad\u{131}rn h sa\u{131}nasine kle ",
            " gemas\u{131}ndn\u{131}n\u{131} v valanlmaerkrkenmatinrle teninakla vda  delet",
            "ille marden riyayan\u{131}  h\u{FC} \u{15F}ae bk vk\u{131}nk h memilsan ilsi rd\u{131}e d",
            "danh\u{FC}rvaranae akeset mes\u{15F}ahdir miretrri seola\u{FC}rrirlbu mak ma",
            "mekn ek\u{131} n vn iliklle ed hin ba h bansa i\u{15F}elikar i\u{E7}\u{131} halali ",
            "ulurakevle ini re r \u{15F}emeetme tik e sa bi\u{15F} n khaindeaiz e\u{15F}izd",
            "un olmhi\u{E7}zdiar unmma  g\u{F6}ilmlmeim n ttirdilmale gi v kolune e",
            "melket\u{131}k n selela el r vede\u{15F}itilie\u{15F}iylaa i anan\u{131} etr\u{131} ahs ya",
            "s\u{131} edisiyt vi bse i\u{E7}i\u{E7}inbulame dami\u{15F}maytima ktmer binsyannla",
            "mle dieyegerye u\u{11F}uerddinser m\u{FC}memvle kenamindlenekees  kin m",
            "it  in kur\u{15F}\u{131}a sar\u{15F} ayemllekorurmekorrdei m sot\u{FC}ral lameninun",
            " uykenhs\u{131}i ia dri dev\u{FC}n a mr ameycak\u{131}ylmaze veceadei\u{E7} \u{15F}mamse",
            "te t\u{FC}nimskime y\u{15F}\u{131} endk gndial\u{131} celem\u{F6}\u{11F}r\u{FC}t\u{FC}k ir t \u{F6}\u{11F}b\u{FC}tanl b\u{FC}",
        ),
    ),
    (
        Lang::Pol,
        concat!(
            " prnie i ie pra poanirawia niawiego  doch egoiekowi ni\u{15B}cici ",
            "a pdo awo czo\u{15B}cych maek rze naprz w wo ej  zano\u{15B}cz\u{142}z\u{142}oeniwa ",
            " je\u{142}owi pwololn lurod ka wolnowszy cma ny ka\u{17C}a\u{17C}do dstwowady ",
            "\u{17C}dy wyrzystaecz swdzii we pczntwana zys\u{F3}w szyub luba westkie",
            "k mwan spaj\u{105} wse wpowposnycracspoa\u{107} a iczeszenegystjak jao p",
            "podacjne \u{144}staromi  z i inar kooboawa roi nj\u{105}czecznezandow r\u{F3}",
            "iejzy zenniconyaw i zczyno nejo sr\u{F3}wodncy \u{F3}wnodzo wo zjegedn",
            "o oakimieienkol inziebezamie\u{144}sowodno ob or sta sni orzo uym ",
            "st\u{119}t\u{119}p\u{142}ecjedi k osw clwiez olwo\u{142}epo\u{142}cjiy wo nwia bekt\u{F3}a jzna",
            "zynowewobka wycowyji  odalninnjesiczh pi ssi\u{119}a oj\u{105} ostkrast ",
            "szaswowarczarozy sraznikaraoraludi oa zzes krranowsechw pd\u{F3}w",
            "\u{105} ppopa ntkistkganzonraje oieci l si\u{17C}e eka kt deem t\u{F3}ri\u{119} wni",
            "lniejsiniododnie\u{142}nkowpe\u{142}a drondekpieudzbodnanh idstiegtawz p",
            "z wze\u{144}godiu anolar toy za kaleklatrzzawiche iierikodzychnw z",
            "by k\u{F3}wadzeklywaju ochkorsoboczosou pdu tyctan\u{119}dz mie s taki ",
        ),
    ),
    (
        Lang::Nld,
        concat!(
            "en de an  devan va en heingchtderng n dn vet een geechn ever",
            "recnde ee re beedeer e vgendenhetten te in opn i velij ziere",
            "elizijijkte oorht ensn oandt oijniedke  oneidop  vojn id ond",
            "in sch vraarn zaan ierderijmenrenordheihte weeftn gft n wor ",
            "n heefvriwor meheeal t rof le  ofatig ve beni aalle won ae o",
            "nd r hvoo alegen terk da nat hstajkeat natngee eend stom e g",
            "tien bstediee rerwwele sr d omij digt eigeterie gelre jhet d",
            " zae mersijhnigzalnied vns d ee we nestelebes dog echevolge ",
            "ezee dig gindathapchaeke dionae alkenstard grtelmin towaalen",
            "elklinemejk n sdelstrhanevegroichvendoo wat vit overinaatn n",
            "wetuitijdze  zoion ovdezgemmettiobbeach nihedst alliesperheb",
            "ebbe itoees taan mnteienel ninalebendaasti mameekinpene hwer",
            "ontiettigg os e erigdeteanglannscemamant gis begherescbijd o",
            "rontinnaleerp vediermitet wt a hurwiwijijsr ewegjs rminaat b",
            "apprwe bit zkerameeriken anar  latregerrditaneitgdeg id zoep",
        ),
    ),
    (
        Lang::Swe,
        concat!(
            " ocochch er ingf\u{F6}rtt ar en \u{E4}ttnde f\u{F6}r\u{E4}tillet and r\u{E4} en ti de",
            "tilhetll de om varliggen frellskaninng ter haas  inka attlle",
            "dersam i undllaghefriallensetena ler at\u{F6}r den elav  av soigh",
            "r hnvaga r renvla tignskigahart asomtti utiont ta sngens a f",
            "r sm\u{E4}na o sk sirnaiskan  st\u{E4}r ra  vi alt f saa rati \u{E4}r me be",
            "n s antionnalanernt emed vaig \u{E4}ns \u{E5}tstata nat unkliten grvis",
            "\u{E4}ll laonehan\u{E4}ndt sst\u{E4}t ineransgru gever m\u{E5} lilikiheersrihr a",
            " rem\u{E5} snin ft o m\u{E4} nar eri ad entkladet v\u{E4}runrklda h ruppdra",
            "rinigtdign eerkkapttaed d frane stanutanomlargt s f p\u{E5} omkte",
            "linr uvidg o\u{E4}nnervikaaria ilagrviid r os svilr m\u{F6}rkot ndlstr",
            "elsro a mmot moi op\u{E5} r don delisnskye mras h\u{E4}r fi sa nnadn o",
            "gantniera\u{E4}rda dt\u{E4}lberngar iennnd n a upsindd \u{F6}rsje ittkaln m",
            "amtn ikillseskinasends e s\u{E5}inntatpert varje fl arelt binttet",
            "g a\u{F6}ral vkydyddrje fabetse t llitsa n\u{E4}rh\u{E4}ll sndrnisyckh allm",
            "lkeh farblm\u{E4}ndabarcklv sr\u{E4}ngartrare eger garaessd ev\u{E4}rmt ap ",
        ),
    ),
];

/// The same languages' alphabets in `whatlang`'s `alphabets/latin.rs`, in the same order.
pub(crate) const ALPHABETS: [(Lang, &str); 12] = [
    (Lang::Spa, "abcdefghijklmnopqrstuvwxyz\u{A1}\u{BF}\u{E1}\u{E9}\u{ED}\u{F1}\u{F3}\u{FA}\u{FC}"),
    (Lang::Eng, "abcdefghijklmnopqrstuvwxyz"),
    (Lang::Por, "abcdefghijklmnopqrstuvwxyz\u{E0}\u{E1}\u{E2}\u{E3}\u{E7}\u{E9}\u{EA}\u{ED}\u{F3}\u{F4}\u{F5}\u{FA}"),
    (Lang::Ind, "abcdefghijklmnopqrstuvwxyz"),
    (Lang::Fra, "abcdefghijklmnopqrstuvwxyz\u{E0}\u{E2}\u{E7}\u{E8}\u{E9}\u{EA}\u{EB}\u{EE}\u{EF}\u{F4}\u{F9}\u{FB}\u{FC}\u{FF}\u{153}"),
    (Lang::Deu, "abcdefghijklmnopqrstuvwxyz\u{DF}\u{E4}\u{F6}\u{FC}"),
    (Lang::Vie, "abcdefghijklmnopqrstuvwxyz\u{E0}\u{E1}\u{E2}\u{E3}\u{E8}\u{E9}\u{EA}\u{EC}\u{ED}\u{F2}\u{F3}\u{F4}\u{F5}\u{F9}\u{FA}\u{FD}\u{103}\u{111}\u{129}\u{169}\u{1A1}\u{1B0}\u{1EA1}\u{1EA3}\u{1EA5}\u{1EA7}\u{1EA9}\u{1EAB}\u{1EAD}\u{1EAF}\u{1EB1}\u{1EB3}\u{1EB5}\u{1EB7}\u{1EB9}\u{1EBB}\u{1EBD}\u{1EBF}\u{1EC1}\u{1EC3}\u{1EC5}\u{1EC7}\u{1EC9}\u{1ECB}\u{1ECD}\u{1ECF}\u{1ED1}\u{1ED3}\u{1ED5}\u{1ED7}\u{1ED9}\u{1EDB}\u{1EDD}\u{1EDF}\u{1EE1}\u{1EE3}\u{1EE5}\u{1EE7}\u{1EE9}\u{1EEB}\u{1EED}\u{1EEF}\u{1EF1}\u{1EF3}\u{1EF5}\u{1EF7}\u{1EF9}"),
    (Lang::Ita, "abcdefghijklmnopqrstuvwxyz\u{E0}\u{E8}\u{E9}\u{EC}\u{F2}\u{F9}"),
    (Lang::Tur, "abcdefghijklmnopqrstuvwxyz\u{E7}\u{F6}\u{FC}\u{11F}\u{131}\u{15F}\u{307}"),
    (Lang::Pol, "abcdefghijklmnopqrstuvwxyz\u{F3}\u{105}\u{107}\u{119}\u{142}\u{144}\u{15B}\u{17A}\u{17C}"),
    (Lang::Nld, "abcdefghijklmnopqrstuvwxyz\u{E0}\u{E8}\u{E9}\u{EB}\u{EF}\u{133}"),
    (Lang::Swe, "abcdefghijklmnopqrstuvwxyz\u{E4}\u{E5}\u{F6}"),
];
