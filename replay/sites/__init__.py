"""One class per replayed source (chrome and templates); ``SITES`` maps source id -> class."""
from .bbtnews import Bbtnews
from .bjnews import Bjnews
from .btchangqing import Btchangqing
from .ce import Ce
from .finews import Finews
from .stdaily import Stdaily

SITES = {cls.id: cls for cls in (Stdaily, Bbtnews, Bjnews, Ce, Finews, Btchangqing)}
