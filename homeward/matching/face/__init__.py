"""Face engine: intake photo quality, embeddings, exact search, calibrated likelihood ratios.

No Django here. The flow, by stage:

- read and check: `analyse_photo(path)` -> `FaceAnalysis` (quality `report` with machine-readable
  `reasons`, the aligned chip, float32 128-d `embedding`);
- store and search: `FaceIndex` (one float32 matrix per record kind, persisted in a folder),
  `rebuild_index(stored_photos)` after a model change;
- weigh: `shipped_calibration().log10_lr(distance, years_apart)`.

The model sits behind `FaceModel` (`DlibFaceModel` by default).
"""

from homeward.matching.face.calibration import (
    Calibration,
    Genuine,
    Impostors,
    shipped_calibration,
)
from homeward.matching.face.index import FaceIndex, FaceIndexError, Hit
from homeward.matching.face.model import DlibFaceModel, FaceModel, default_model
from homeward.matching.face.photo import Photo, PhotoError, load_photo
from homeward.matching.face.pipeline import (
    FaceAnalysis,
    StoredPhoto,
    analyse_photo,
    face_distance,
    rebuild_index,
)
from homeward.matching.face.quality import (
    MESSAGES,
    QualityReport,
    QualityThresholds,
    Reason,
    check_photo,
)

__all__ = [
    "MESSAGES",
    "Calibration",
    "DlibFaceModel",
    "FaceAnalysis",
    "FaceIndex",
    "FaceIndexError",
    "FaceModel",
    "Genuine",
    "Hit",
    "Impostors",
    "Photo",
    "PhotoError",
    "QualityReport",
    "QualityThresholds",
    "Reason",
    "StoredPhoto",
    "analyse_photo",
    "check_photo",
    "default_model",
    "face_distance",
    "load_photo",
    "rebuild_index",
    "shipped_calibration",
]
