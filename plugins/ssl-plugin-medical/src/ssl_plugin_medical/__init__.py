"""ssl-plugin-medical: Uni4Eye (Cai et al., MICCAI 2022), one masked image model for 2D images and 3D
volumes, on DICOM, NIfTI, MedMNIST and PNG / JPEG folders."""

__version__ = "0.1.0"
