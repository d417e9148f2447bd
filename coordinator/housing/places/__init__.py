"""Places of the residential survey: compounds (小区/沿街), their buildings (幢/号), each
area's survey settings and which API tokens are the area's coordinators."""
